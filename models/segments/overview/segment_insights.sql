{#
    Per segment: current size, held-out members, and what its latest run did (entered, exited,
    or frozen / skipped), from the run log the segment materialization keeps.
#}

with

registry as (
    select * from {{ ref('segment_registry') }}
),

runs as (
    select
        *,
        row_number() over (partition by segment_name order by recorded_at desc, evaluated_at desc) as recency_rank
    from {{ source('segment_history', 'segment_run_log') }}
),

evaluations as (
    select
        segment_name,
        count(*) as evaluations,
        min(evaluated_at) as first_evaluated_at,
        max(evaluated_at) as last_evaluated_at
    from {{ source('segment_history', 'segment_run_log') }}
    where outcome = 'evaluated'
    group by segment_name
),

insights as (
    select
        registry.segment_name,
        registry.refresh,
        registry.owner,
        coalesce(runs.members, 0) as members,
        coalesce(runs.holdout_members, 0) as holdout_members,
        coalesce(runs.entered, 0) as entered_last_run,
        coalesce(runs.exited, 0) as exited_last_run,
        runs.outcome as last_run_outcome,
        runs.recorded_at as last_run_at,
        evaluations.first_evaluated_at,
        evaluations.last_evaluated_at,
        coalesce(evaluations.evaluations, 0) as evaluations
    from registry
    left join runs
        on registry.segment_name = runs.segment_name
        and runs.recency_rank = 1
    left join evaluations on registry.segment_name = evaluations.segment_name
)

select * from insights
