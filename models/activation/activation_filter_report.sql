{#
    Per activation model, its latest build: how many candidates it kept and how many each rule
    blocked (holdout, suppressed, no_consent:<category>, unreachable, unsubscribed:<channel>,
    profile_not_found). Every candidate is in exactly one row.
#}
{{ config(materialized='view') }}

with

log as (
    select * from {{ source('activation_records', 'activation_filter_log') }}
),

latest_build as (
    select
        model_name,
        max(recorded_at) as recorded_at
    from log
    group by model_name
),

report as (
    select
        log.model_name,
        log.destination,
        log.outcome,
        log.profiles,
        log.evaluated_at,
        log.recorded_at
    from log
    inner join latest_build
        on log.model_name = latest_build.model_name
        and log.recorded_at = latest_build.recorded_at
)

select * from report
