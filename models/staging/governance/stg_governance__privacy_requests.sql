with

base as (
    select * from {{ ref('base_governance__privacy_requests') }}
),

staged as (
    select
        request_id,
        id_type,
        id_value,
        request_type,
        requested_at
    from base
    where
        rejection_reason is null
        and copy_number = 1
)

select * from staged
