{#
    Final profile of every linkable identifier, with the working columns refused links and
    merges need. Cluster limits are applied here: within a cluster, identifiers of a type
    beyond its max_per_profile (the most recently arrived ones) are cut loose as profiles of
    their own. A profile is named after its oldest identifier (first received, then strongest
    type), so new data never renames it and the older id survives a merge. The name is a hash
    keyed with the warehouse's secret (int_profile_id_key): without the key, nobody can compute a
    person's profile_id from their email.
#}

with

nodes as (
    select * from {{ ref('int_identity_nodes') }}
),

clusters as (
    select * from {{ ref('int_identity_clusters') }}
),

clustered as (
    select
        nodes.node_key,
        nodes.id_type,
        nodes.id_value,
        nodes.first_seen_at,
        nodes.last_seen_at,
        nodes.first_received_at,
        nodes.id_priority,
        clusters.anchor_key,
        case
            when clusters.anchor_key is not null then 'a' || cast(clusters.anchor_key as {{ dbt.type_string() }})
            else 'l' || cast(clusters.label_key as {{ dbt.type_string() }})
        end as cluster_key
    from nodes
    inner join clusters on nodes.node_key = clusters.node_key
),

ranked_within_type as (
    select
        *,
        row_number() over (
            partition by cluster_key, id_type order by first_received_at, node_key
        ) as rank_within_type,
        {{ upstream.identity_max_per_profile('id_type') }} as max_per_profile
    from clustered
),

limited as (
    select
        *,
        rank_within_type > max_per_profile as is_over_limit,
        case
            when rank_within_type > max_per_profile then 'd' || cast(node_key as {{ dbt.type_string() }})
            else cluster_key
        end as profile_key
    from ranked_within_type
),

rooted as (
    select
        *,
        first_value(node_key) over (
            partition by profile_key order by first_received_at, id_priority, node_key
        ) as root_key
    from limited
),

{# Exactly one row, whatever the key table holds. #}
profile_key as (
    select coalesce(max(key_value), '') as key_value
    from {{ ref('int_profile_id_key') }}
),

named as (
    select
        case
            {#- A warehouse named before the key existed keeps its names (model int_profile_id_key). #}
            when profile_key.key_value = '' then {{ dbt.hash("roots.id_type || ':' || roots.id_value") }}
            else {{ dbt.hash("profile_key.key_value || ':' || roots.id_type || ':' || roots.id_value") }}
        end as profile_id,
        rooted.node_key,
        rooted.id_type,
        rooted.id_value,
        rooted.first_seen_at,
        rooted.last_seen_at,
        rooted.anchor_key,
        rooted.is_over_limit,
        rooted.profile_key
    from rooted
    inner join nodes as roots on rooted.root_key = roots.node_key
    cross join profile_key
)

select * from named
