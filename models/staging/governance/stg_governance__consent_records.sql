with

base as (
    select * from {{ ref('base_governance__consent_records') }}
),

staged as (
    select
        record_id,
        id_type,
        id_value,
        category,
        is_granted,
        recorded_at
    from base
    where rejection_reason is null
)

select * from staged
