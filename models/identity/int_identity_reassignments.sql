{#
    Identifiers whose profile changed since the previous build's id_graph: linked into another
    profile, new to the graph (previous_profile_id NULL) or gone from it (profile_id NULL:
    excluded, cut loose, forgotten). Built before id_graph is replaced, like profile_merges.
    Incremental models keyed by message read it to know which messages to attribute again.
    Without a previous id_graph every identifier is new.
#}
{{ config(materialized='table') }}
{%- set previous_graph = upstream.previous_relation('id_graph') %}

with

profiles as (
    select * from {{ ref('int_identity_profiles') }}
),

graph as (
    select
        profiles.id_type,
        profiles.id_value,
        profiles.profile_id
    from profiles
    where {{ upstream.is_remembered_graph_row('profiles', ref('privacy_forgotten_identifiers')) }}
),

{% if previous_graph is not none %}
previous_graph as (
    select
        id_type,
        id_value,
        profile_id
    from {{ previous_graph }}
),

reassigned as (
    select
        coalesce(graph.id_type, previous_graph.id_type) as id_type,
        coalesce(graph.id_value, previous_graph.id_value) as id_value,
        previous_graph.profile_id as previous_profile_id,
        graph.profile_id
    from graph
    full outer join previous_graph
        on graph.id_type = previous_graph.id_type
        and graph.id_value = previous_graph.id_value
    where graph.profile_id is distinct from previous_graph.profile_id
)
{% else %}
reassigned as (
    select
        id_type,
        id_value,
        cast(null as {{ dbt.type_string() }}) as previous_profile_id,
        profile_id
    from graph
)
{% endif %}

select * from reassigned
