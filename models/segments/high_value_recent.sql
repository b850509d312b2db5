{# Last order within the 30 days before as_of (both ends included) and lifetime revenue above 500. #}
{{ config(meta={'segment': {
    'description': 'Ordered in the last 30 days and spent more than 500 in total.',
    'owner': 'crm',
    'refresh': 'dynamic',
    'channels': ['webhook'],
}}) }}
{%- set as_of = upstream.as_of_timestamp() -%}

with

profiles as (
    select * from {{ ref('profiles') }}
),

members as (
    select
        profile_id,
        lifetime_revenue,
        order_count,
        last_order_at
    from profiles
    where
        last_order_at >= {{ dbt.dateadd('day', -30, as_of) }}
        and last_order_at <= {{ as_of }}
        and lifetime_revenue > 500
)

select * from members
