{# First seen within the 7 days before as_of (both ends included). #}
{{ config(meta={'segment': {
    'description': 'First seen in the last 7 days.',
    'owner': 'growth',
    'refresh': 'dynamic',
    'channels': ['email'],
    'holdout_share': 0.05,
    'splits': {'welcome_a': 0.5, 'welcome_b': 0.5},
}}) }}
{%- set as_of = upstream.as_of_timestamp() -%}

with

profiles as (
    select * from {{ ref('profiles') }}
),

members as (
    select
        profile_id,
        first_seen_at
    from profiles
    where
        first_seen_at >= {{ dbt.dateadd('day', -7, as_of) }}
        and first_seen_at <= {{ as_of }}
)

select * from members
