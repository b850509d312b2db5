{#
    Every entry into and exit from a segment, append-only: the segment materialization writes a
    row per change when it evaluates a segment (occurred_at = the run's upstream__as_of).
    "Who was in X on D" is the latest row per profile with occurred_at <= D being 'entered'
    (macro upstream.segment_members_from_log, analyses/segment_members_on.sql).
#}

with

event_log as (
    select * from {{ source('segment_history', 'segment_event_log') }}
),

events as (
    select
        segment_name,
        profile_id,
        event_type,
        occurred_at,
        is_holdout,
        split_name,
        invocation_id,
        recorded_at
    from event_log
)

select * from events
