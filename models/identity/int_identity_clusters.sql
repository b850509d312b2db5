{#
    Which cluster every linkable identifier belongs to (materialization label_propagation).
    Anchors (user_id by default) start anchored to themselves; every other identifier joins the
    anchor it was linked to first, or, in clusters without an anchor, the smallest node key.
    Result: node_key, anchor_key (NULL for anonymous clusters), anchored_at, label.
#}
{{ config(materialized='label_propagation', edges_model='int_identity_edges') }}
-- depends_on: {{ ref('int_identity_edges') }}

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
        node_key as label
    from nodes
)

select * from initial_state
