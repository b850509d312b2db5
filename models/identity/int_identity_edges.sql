{#
    Links between linkable identifiers mentioned in the same row. A row with k identifiers
    links each to its strongest one (the anchor: lowest priority, then oldest), k - 1 links
    instead of k(k-1)/2 with the same connectivity. linked_at is the first time the link arrived
    (received_at), which decides who wins when a link would break a limit.
#}

with

mentions as (
    select * from {{ ref('int_identifier_mentions') }}
),

nodes as (
    select * from {{ ref('int_identity_nodes') }}
),

linkable_mentions as (
    select
        mentions.message_id,
        mentions.occurred_at,
        mentions.received_at,
        nodes.node_key,
        nodes.id_priority,
        nodes.first_received_at as node_first_received_at
    from mentions
    inner join nodes
        on mentions.id_type = nodes.id_type
        and mentions.id_value = nodes.id_value
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

select * from links
