{#
    The journey's memory: one row per message step (email, SMS) of an instance, written the first
    run that finds the step due and never changed after, so replaying as_of through a timeline
    decides — and sends — each step once. Decisions:
      send       hand it to the channel (cart_abandonment_due_steps, then the activation models);
      cancelled  the instance exited before the run got to it (converted or superseded);
      holdout    the profile is in the journey's holdout;
      expired    found due more than send_window_minutes late (a run was missed): too stale to send;
      capped     frequency cap: another message on this channel went to the profile within
                 frequency_cap_hours (earlier runs, or an earlier-due step in this run).
    History moves forward only: a run whose as_of is before the latest decision appends nothing.
#}
{{ config(materialized='incremental', post_hook="{{ upstream.forget_profiles(this) }}") }}
{%- set as_of = upstream.as_of_timestamp() -%}
{%- set settings = upstream.cart_abandonment_settings() -%}

with

steps as (
    select * from {{ ref('int_cart_abandonment_steps') }}
    where
        channel in ('email', 'sms')
        and step_state in ('due', 'cancelled')
),

{% if is_incremental() %}
decided as (
    select
        journey_instance_id,
        step_number
    from {{ this }}
),

recent_sends as (
    select
        profile_id,
        channel,
        max(decided_at) as last_sent_at
    from {{ this }}
    where decision = 'send'
    group by profile_id, channel
),

run_is_current as (
    select coalesce(max(decided_at) <= {{ as_of }}, true) as is_current from {{ this }}
),
{% else %}
decided as (
    select
        journey_instance_id,
        step_number
    from steps
    where 1 = 0
),

recent_sends as (
    select
        profile_id,
        channel,
        due_at as last_sent_at
    from steps
    where 1 = 0
),

run_is_current as (
    select true as is_current
),
{% endif %}

undecided as (
    select steps.*
    from steps
    cross join run_is_current
    where
        run_is_current.is_current
        and not exists (
            select 1 from decided
            where
                decided.journey_instance_id = steps.journey_instance_id
                and decided.step_number = steps.step_number
        )
),

classified as (
    select
        undecided.*,
        case
            when undecided.exited_at is not null then 'cancelled'
            when undecided.is_holdout then 'holdout'
            {%- for channel, minutes in settings.send_window_minutes.items() %}
            when undecided.channel = '{{ channel }}'
                and undecided.due_at < {{ dbt.dateadd('minute', -1 * minutes, as_of) }} then 'expired'
            {%- endfor %}
            {%- for channel, hours in settings.frequency_cap_hours.items() %}
            when undecided.channel = '{{ channel }}'
                and recent_sends.last_sent_at > {{ dbt.dateadd('hour', -1 * hours, as_of) }} then 'capped'
            {%- endfor %}
        end as early_decision
    from undecided
    left join recent_sends
        on undecided.profile_id = recent_sends.profile_id
        and undecided.channel = recent_sends.channel
),

{# Of the steps still sendable in this run, one per profile and channel: the earliest due. #}
ranked as (
    select
        *,
        row_number() over (
            partition by profile_id, channel, early_decision
            order by due_at, journey_instance_id
        ) as send_rank
    from classified
),

decisions as (
    select
        journey_instance_id,
        step_number,
        step_name,
        channel,
        profile_id,
        due_at,
        case
            when early_decision is not null then early_decision
            when send_rank = 1 then 'send'
            else 'capped'
        end as decision,
        case when early_decision = 'cancelled' then exit_reason end as cancel_reason,
        {{ as_of }} as decided_at,
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as invocation_id
    from ranked
)

select * from decisions
