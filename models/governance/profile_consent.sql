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

statements as (
    select * from {{ ref('int_consent_statements') }}
    where stated_at <= {{ as_of }}
),

{# Grouping, not a row_number() window over every statement: the latest instant per profile and
    category, then its statements with the tie-break order (a denial first, then the source
    name) as one text whose minimum is the winner. Half the time at 10M events (issue 10). #}
latest_at as (
    select
        profile_id,
        category,
        max(stated_at) as stated_at
    from statements
    group by profile_id, category
),

latest as (
    select
        statements.profile_id,
        statements.category,
        statements.stated_at,
        min(case when statements.is_granted then '1' else '0' end || statements.statement_source) as decision
    from statements
    inner join latest_at
        on statements.profile_id = latest_at.profile_id
        and statements.category = latest_at.category
        and statements.stated_at = latest_at.stated_at
    group by statements.profile_id, statements.category, statements.stated_at
),

consent as (
    select
        profiles.profile_id,
        categories.category,
        coalesce(substr(latest.decision, 1, 1) = '1', false) as is_granted,
        latest.stated_at,
        coalesce(substr(latest.decision, 2), 'none') as statement_source
    from profiles
    cross join categories
    left join latest
        on profiles.profile_id = latest.profile_id
        and categories.category = latest.category
)

select * from consent
