{#
    The identity graph (DESIGN.md): one row per linkable identifier and the profile it belongs
    to. Built after profile_merges, which compares this table's previous state with the new one.
    Profiles forgotten by a deletion request (privacy_forgotten_identifiers) are left out whole,
    from the build that applies the request on.
#}
-- depends_on: {{ ref('profile_merges') }}

with

profiles as (
    select * from {{ ref('int_identity_profiles') }}
),

forgotten as (
    select
        node_key,
        profile_id
    from {{ ref('privacy_forgotten_identifiers') }}
),

graph as (
    select
        profiles.profile_id,
        profiles.id_type,
        profiles.id_value,
        profiles.first_seen_at,
        profiles.last_seen_at
    from profiles
    where
        profiles.profile_id not in (
            select forgotten.profile_id from forgotten
            where forgotten.profile_id is not null
        )
        and profiles.node_key not in (select forgotten.node_key from forgotten)
)

select * from graph
