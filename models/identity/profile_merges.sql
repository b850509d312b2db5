{#
    Profiles that ceased to exist because new data linked them into an older profile:
    merged_profile_id, into_profile_id, merged_at, reason. Append-only: each run
    compares the id_graph of the previous run with the new assignment, before id_graph is
    replaced. A full refresh starts the log afresh.
#}
{{ config(
    materialized='incremental',
    unique_key='merged_profile_id',
    post_hook="{{ upstream.forget_profiles(this, ['merged_profile_id', 'into_profile_id']) }}",
) }}
-- depends_on: {{ ref('privacy_forgotten_identifiers') }}

{% set previous_graph = upstream.previous_relation('id_graph') %}

with

profiles as (
    select * from {{ ref('int_identity_profiles') }}
),

{% if is_incremental() and previous_graph is not none %}
previous_graph as (
    select
        profile_id,
        id_type,
        id_value
    from {{ previous_graph }}
),

moved as (
    select
        previous_graph.profile_id as merged_profile_id,
        profiles.profile_id as into_profile_id,
        profiles.id_type
    from previous_graph
    inner join profiles
        on previous_graph.id_type = profiles.id_type
        and previous_graph.id_value = profiles.id_value
    where
        previous_graph.profile_id <> profiles.profile_id
        and previous_graph.profile_id not in (select profiles.profile_id from profiles)
),

{# A vanished profile whose identifiers went to several profiles is recorded against the one holding most. #}
merge_targets as (
    select
        merged_profile_id,
        into_profile_id,
        count(*) as moved_identifiers,
        min(id_type) as first_moved_type,
        row_number() over (
            partition by merged_profile_id order by count(*) desc, into_profile_id
        ) as target_rank
    from moved
    group by merged_profile_id, into_profile_id
),

recorded_merges as (
    select
        merged_profile_id,
        into_profile_id,
        {{ upstream.as_of_timestamp() }} as merged_at,
        'linked to an older profile (' || cast(moved_identifiers as {{ dbt.type_string() }})
        || ' identifiers moved)' as reason
    from merge_targets
    where target_rank = 1
)
{% else %}
recorded_merges as (
    select
        cast(null as {{ dbt.type_string() }}) as merged_profile_id,
        cast(null as {{ dbt.type_string() }}) as into_profile_id,
        cast(null as {{ dbt.type_timestamp() }}) as merged_at,
        cast(null as {{ dbt.type_string() }}) as reason
    from profiles
    where 1 = 0
)
{% endif %}

select * from recorded_merges
