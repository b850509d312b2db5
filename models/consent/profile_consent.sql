{#
    Consent per profile and category (var upstream__consent_categories), as of as_of: the latest
    statement wins, a denial wins a tie, and no statement means denied.

    Incremental: a run decides again only the profiles whose answer may have changed
    (macro consent_changed_profiles), the profiles new in `profiles`, and every profile when a
    category was added to the var. A profile gone from `profiles` gets placeholder rows that
    replace its stored ones and that the post-hook deletes, with the rows of a removed category.
#}
{{ config(
    materialized='incremental',
    unique_key=['profile_id', 'category'],
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    post_hook="{{ upstream.delete_rows_hook(
        this,
        'is_granted is null or computed_as_of is null or category not in ('
            ~ upstream.consent_category_list() ~ ')'
    ) }}",
) }}
-- depends_on: {{ ref('int_identity_reassignments') }}
{%- set as_of = upstream.as_of_timestamp() -%}
{#- A table stored before computed_as_of existed is built whole, once; its old rows gain a NULL
    computed_as_of, and those no new row replaces (profiles gone since) are deleted by the post-hook. -#}
{%- set incremental = is_incremental() and upstream.relation_has_column(this, 'computed_as_of') %}

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

{% if incremental %}
previous_run as (
    select
        max(loaded_at) as loaded_at,
        max(computed_as_of) as as_of_at,
        count(distinct case when category in ({{ upstream.consent_category_list() }}) then category end)
            as stored_categories
    from {{ this }}
),

changed_profiles as (
    {{ upstream.consent_changed_profiles('previous_run', as_of) | indent(4) }}
    union
    select profiles.profile_id
    from profiles
    cross join previous_run
    where
        previous_run.stored_categories < {{ var('upstream__consent_categories') | length }}
        or not exists (select 1 from {{ this }} as stored where stored.profile_id = profiles.profile_id)
),

scoped_profiles as (
    select profiles.profile_id
    from profiles
    inner join changed_profiles on profiles.profile_id = changed_profiles.profile_id
),

gone_profiles as (
    select distinct stored.profile_id
    from {{ this }} as stored
    where not exists (select 1 from profiles where profiles.profile_id = stored.profile_id)
),
{% else %}
scoped_profiles as (
    select profile_id from profiles
),
{% endif %}

statements as (
    select * from {{ ref('int_consent_statements') }}
    where
        stated_at <= {{ as_of }}
        and profile_id in (select scoped_profiles.profile_id from scoped_profiles)
),

{# Grouping, not a row_number() window over every statement: the latest instant per profile and
    category, then its statements with the tie-break order (a denial first, then the source
    name) as one text whose minimum is the winner. Half the time at 10M events. #}
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
        scoped_profiles.profile_id,
        categories.category,
        coalesce(substr(latest.decision, 1, 1) = '1', false) as is_granted,
        latest.stated_at,
        coalesce(substr(latest.decision, 2), 'none') as statement_source
    from scoped_profiles
    cross join categories
    left join latest
        on scoped_profiles.profile_id = latest.profile_id
        and categories.category = latest.category
    {%- if incremental %}
    union all
    select
        gone_profiles.profile_id,
        categories.category,
        cast(null as {{ dbt.type_boolean() }}) as is_granted,
        cast(null as {{ dbt.type_timestamp() }}) as stated_at,
        cast(null as {{ dbt.type_string() }}) as statement_source
    from gone_profiles
    cross join categories
    {%- endif %}
)

select
    *,
    {{ as_of }} as computed_as_of,
    {{ upstream.run_recorded_at() }} as loaded_at
from consent
