{#
    Links between linkable identifiers mentioned in the same row. A row with k identifiers
    links each to its strongest one (the anchor: lowest priority, then oldest), k - 1 links
    instead of k(k-1)/2 with the same connectivity. linked_at is the first time the link arrived
    (received_at), which decides who wins when a link would break a limit.

    Incremental: only rows that mention a touched identifier (int_identity_touched_nodes)
    can link differently: a new row, or a touched identifier that became the anchor or stopped
    being linkable, changes links among the identifiers of those rows. Call those identifiers the
    scope. A run replaces every link with an end in the scope, recomputed from all rows that
    mention a scope identifier: every row behind such a link mentions its scope end, so the
    recomputed counts and times are whole. Links with no end in the scope come only from rows
    without a touched identifier, so they stand. Each stored link of the scope also gets a
    placeholder row (NULL message_count) that the post-hook deletes unless recomputed.
#}
{{ config(
    materialized='incremental',
    unique_key=['node_a', 'node_b'],
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    post_hook="{{ upstream.delete_rows_hook(this, 'message_count is null') }}",
) }}
-- depends_on: {{ ref('int_identity_touched_nodes') }}
{%- set mentions = ref('int_identifier_mentions') %}

with

nodes as (
    select * from {{ ref('int_identity_nodes') }}
),

{% if is_incremental() %}
touched as (
    select * from {{ ref('int_identity_touched_nodes') }}
),

touched_messages as (
    select distinct mentions.message_id
    from {{ mentions }} as mentions
    inner join touched
        on mentions.id_type = touched.id_type
        and mentions.id_value = touched.id_value
),

scope_identifiers as (
    select distinct
        mentions.id_type,
        mentions.id_value
    from {{ mentions }} as mentions
    inner join touched_messages on mentions.message_id = touched_messages.message_id
),

{# Touched keys count even when no longer linkable (excluded or forgotten): their links go. #}
scope_keys as (
    select nodes.node_key
    from nodes
    inner join scope_identifiers
        on nodes.id_type = scope_identifiers.id_type
        and nodes.id_value = scope_identifiers.id_value
    union
    select touched.node_key from touched
),

scope_messages as (
    select distinct mentions.message_id
    from {{ mentions }} as mentions
    inner join scope_identifiers
        on mentions.id_type = scope_identifiers.id_type
        and mentions.id_value = scope_identifiers.id_value
),

relevant_mentions as (
    select mentions.*
    from {{ mentions }} as mentions
    inner join scope_messages on mentions.message_id = scope_messages.message_id
),
{% else %}
relevant_mentions as (
    select * from {{ mentions }}
),
{% endif %}

linkable_mentions as (
    select
        relevant_mentions.message_id,
        relevant_mentions.occurred_at,
        relevant_mentions.received_at,
        nodes.node_key,
        nodes.id_priority,
        nodes.first_received_at as node_first_received_at
    from relevant_mentions
    inner join nodes
        on relevant_mentions.id_type = nodes.id_type
        and relevant_mentions.id_value = nodes.id_value
),

anchored as (
    select
        *,
        first_value(node_key) over (
            partition by message_id order by id_priority, node_first_received_at, node_key
        ) as anchor_key
    from linkable_mentions
),

links as (
    select
        least(anchor_key, node_key) as node_a,
        greatest(anchor_key, node_key) as node_b,
        min(received_at) as linked_at,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at,
        count(*) as message_count
    from anchored
    where node_key <> anchor_key
    group by least(anchor_key, node_key), greatest(anchor_key, node_key)
)
{%- if is_incremental() %},

scoped_links as (
    select links.*
    from links
    where
        links.node_a in (select scope_keys.node_key from scope_keys)
        or links.node_b in (select scope_keys.node_key from scope_keys)
),

placeholders as (
    select
        stored.node_a,
        stored.node_b,
        cast(null as {{ dbt.type_timestamp() }}) as linked_at,
        cast(null as {{ dbt.type_timestamp() }}) as first_seen_at,
        cast(null as {{ dbt.type_timestamp() }}) as last_seen_at,
        cast(null as {{ dbt.type_bigint() }}) as message_count
    from {{ this }} as stored
    where
        stored.node_a in (select scope_keys.node_key from scope_keys)
        or stored.node_b in (select scope_keys.node_key from scope_keys)
)

select * from scoped_links
union all
select * from placeholders
{%- else %}

select * from links
{%- endif %}
