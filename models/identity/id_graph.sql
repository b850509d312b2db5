{#
    The identity graph: one row per linkable identifier and the profile it belongs
    to. Built after profile_merges and int_identity_reassignments, which compare this table's
    previous state with the new one.
    Profiles forgotten by a deletion request (privacy_forgotten_identifiers) are left out whole,
    from the build that applies the request on.
#}
-- depends_on: {{ ref('profile_merges') }}
-- depends_on: {{ ref('int_identity_reassignments') }}

with

profiles as (
    select * from {{ ref('int_identity_profiles') }}
),

graph as (
    select
        profiles.profile_id,
        profiles.id_type,
        profiles.id_value,
        profiles.first_seen_at,
        profiles.last_seen_at
    from profiles
    where {{ upstream.is_remembered_graph_row('profiles', ref('privacy_forgotten_identifiers')) }}
)

select * from graph
