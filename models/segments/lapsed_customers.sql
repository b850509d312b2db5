{# At least one order, and none in the 90 days before as_of (an order exactly 90 days ago is recent). #}
{{ config(meta={'segment': {
    'description': 'Customers whose last order is more than 90 days old.',
    'owner': 'crm',
    'refresh': 'dynamic',
    'channels': ['ads'],
}}) }}
{%- set as_of = upstream.as_of_timestamp() -%}

with

profiles as (
    select * from {{ ref('profiles') }}
),

members as (
    select
        profile_id,
        order_count,
        lifetime_revenue,
        last_order_at
    from profiles
    where
        order_count > 0
        and last_order_at < {{ dbt.dateadd('day', -90, as_of) }}
)

select * from members
