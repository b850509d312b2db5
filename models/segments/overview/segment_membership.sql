{#
    Current members of every segment in the registry: the profiles whose latest event in the
    segment history is an entry. entered_at is the start of the current stay. A view, so it is
    current as soon as a segment has been evaluated, whatever order dbt built things in.
#}

with

registry as (
    select segment_name from {{ ref('segment_registry') }}
),

members as (
    {{ upstream.segment_members_from_log(log=source('segment_history', 'segment_event_log')) }}
),

current_members as (
    select
        members.segment_name,
        members.profile_id,
        members.entered_at,
        members.is_holdout,
        members.split_name
    from members
    inner join registry on members.segment_name = registry.segment_name
)

select * from current_members
