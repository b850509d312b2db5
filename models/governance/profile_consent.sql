{#
    Consent per profile and category (var upstream__consent_categories), as of as_of: the latest
    statement wins, a denial wins a tie, and no statement means denied.
#}
{%- set as_of = upstream.as_of_timestamp() -%}

with

profiles as (
    select profile_id from {{ ref('profiles') }}
),

categories as (
    {%- for category in var('upstream__consent_categories') %}
    select '{{ category }}' as category
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

latest as (
    select
        *,
        row_number() over (
            partition by profile_id, category
            order by stated_at desc, case when is_granted then 1 else 0 end asc, statement_source asc
        ) as recency_rank
    from {{ ref('int_consent_statements') }}
    where stated_at <= {{ as_of }}
),

consent as (
    select
        profiles.profile_id,
        categories.category,
        coalesce(latest.is_granted, false) as is_granted,
        latest.stated_at,
        coalesce(latest.statement_source, 'none') as statement_source
    from profiles
    cross join categories
    left join latest
        on profiles.profile_id = latest.profile_id
        and categories.category = latest.category
        and latest.recency_rank = 1
)

select * from consent
