{#
    Links seen in the data but not followed, with the reason: following them would have put two
    anchors (two user_ids by default) in one profile, or more identifiers of a type than
    max_per_profile allows. Nothing is dropped silently.
#}

with

edges as (
    select * from {{ ref('int_identity_edges') }}
),

profiles as (
    select * from {{ ref('int_identity_profiles') }}
),

refused as (
    select
        side_a.id_type as id_type_a,
        side_a.id_value as id_value_a,
        side_a.profile_id as profile_id_a,
        side_b.id_type as id_type_b,
        side_b.id_value as id_value_b,
        side_b.profile_id as profile_id_b,
        edges.linked_at,
        edges.first_seen_at,
        edges.last_seen_at,
        edges.message_count,
        case
            when side_a.is_over_limit then 'max_per_profile:' || side_a.id_type
            when side_b.is_over_limit then 'max_per_profile:' || side_b.id_type
            when side_a.anchor_key <> side_b.anchor_key then 'max_per_profile:{{ upstream.identity_anchor_type() }}'
        end as reason
    from edges
    inner join profiles as side_a on edges.node_a = side_a.node_key
    inner join profiles as side_b on edges.node_b = side_b.node_key
    where side_a.profile_id <> side_b.profile_id
)

select * from refused
