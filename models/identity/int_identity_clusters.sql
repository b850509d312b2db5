{#
    Which cluster every linkable identifier belongs to (materialization label_propagation).
    Anchors (user_id by default) start anchored to themselves; every other identifier joins the
    anchor it was linked to first, or, in clusters without an anchor, the oldest identifier
    (label_at, label_key). component_key is the plain connected component over all links,
    refused ones included: incremental runs recompute whole components that new rows touch.
#}
{{ config(
    materialized='label_propagation',
    edges_model='int_identity_edges',
    touched_model='int_identity_touched_nodes',
) }}
-- depends_on: {{ ref('int_identity_edges') }}
-- depends_on: {{ ref('int_identity_touched_nodes') }}

with

nodes as (
    select * from {{ ref('int_identity_nodes') }}
),

initial_state as (
    select
        node_key,
        case when is_anchor then node_key end as anchor_key,
        {# Earlier than any link, so an anchor never joins another anchor. #}
        case when is_anchor then cast('1900-01-01 00:00:00' as {{ dbt.type_timestamp() }}) end as anchored_at,
        first_received_at as label_at,
        node_key as label_key,
        node_key as component_key
    from nodes
)

select * from initial_state
