{#
    The identity graph (DESIGN.md): one row per linkable identifier and the profile it belongs
    to. Built after profile_merges, which compares this table's previous state with the new one.
#}
-- depends_on: {{ ref('profile_merges') }}

with

profiles as (
    select * from {{ ref('int_identity_profiles') }}
),

graph as (
    select
        profile_id,
        id_type,
        id_value,
        first_seen_at,
        last_seen_at
    from profiles
)

select * from graph
