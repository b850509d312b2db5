{#
    Which fields each activation build staged to leave for which destination, PII or not, hashed
    or not: the egress audit, one row per model, column and build, kept for good.
#}
{{ config(materialized='view') }}

with

audit as (
    select
        model_name,
        destination,
        column_name,
        is_pii,
        is_hashed,
        evaluated_at,
        invocation_id,
        recorded_at
    from {{ source('activation_records', 'activation_field_audit') }}
)

select * from audit
