{#
    Append-only history of profile traits: a row each time a trait's value differs from the
    last value recorded for that profile, stamped with the as_of instant the run describes.
    "What did we know about this person at D" is the latest row per trait with changed_at <= D.
    History only moves forward: a run whose as_of is not after the latest recorded change
    (a replay of the past) appends nothing. Traits: var upstream__profile_history_traits.
#}
{{ config(materialized='incremental', post_hook="{{ upstream.forget_profiles(this) }}") }}
{%- set traits = var('upstream__profile_history_traits') -%}
{%- set as_of = upstream.as_of_timestamp() -%}

with

profiles as (
    select * from {{ ref('profiles') }}
),

{% if traits %}
current_values as (
    select
        profiles.profile_id,
        trait_names.trait,
        case trait_names.trait
            {%- for trait in traits %}
            when '{{ trait }}' then cast(profiles.{{ trait }} as {{ dbt.type_string() }})
            {%- endfor %}
        end as trait_value
    from profiles
    cross join (
        values
        {%- for trait in traits %}
        ('{{ trait }}'){{ "," if not loop.last }}
        {%- endfor %}
    ) as trait_names (trait)
),
{% else %}
{# No trait tracked (the var set to []): no history to write. #}
current_values as (
    select
        profile_id,
        cast(null as {{ dbt.type_string() }}) as trait,
        cast(null as {{ dbt.type_string() }}) as trait_value
    from profiles
    where 1 = 0
),
{% endif %}

{% if is_incremental() %}
recorded as (
    select
        profile_id,
        trait,
        new_value,
        row_number() over (partition by profile_id, trait order by changed_at desc) as recency_rank
    from {{ this }}
),

known as (
    select
        profile_id,
        trait,
        new_value
    from recorded
    where recency_rank = 1
),

run_is_newer as (
    select coalesce(max(changed_at) < {{ as_of }}, true) as is_newer from {{ this }}
),
{% else %}
known as (
    select
        cast(null as {{ dbt.type_string() }}) as profile_id,
        cast(null as {{ dbt.type_string() }}) as trait,
        cast(null as {{ dbt.type_string() }}) as new_value
    from profiles
    where 1 = 0
),

run_is_newer as (
    select true as is_newer
),
{% endif %}

changes as (
    select
        current_values.profile_id,
        current_values.trait,
        known.new_value as old_value,
        current_values.trait_value as new_value,
        {{ as_of }} as changed_at
    from current_values
    cross join run_is_newer
    left join known
        on current_values.profile_id = known.profile_id
        and current_values.trait = known.trait
    where
        run_is_newer.is_newer
        and current_values.trait_value is distinct from known.new_value
        and not (known.profile_id is null and current_values.trait_value is null)
)

select * from changes
