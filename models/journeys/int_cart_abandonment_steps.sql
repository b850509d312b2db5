{#
    Every step of every journey instance with its due time and its state at as_of:
      scheduled   not due yet;
      cancelled   the instance exited (order, or a newer checkout) at or before the due time;
      due         due at or before as_of, the instance still running then.
    The retargeting-ad step is an audience, not a message: it stays `due` for ad_audience_days
    and becomes `ended` after that; it leaves the audience the moment the instance exits.
#}
{%- set as_of = upstream.as_of_timestamp() -%}
{%- set settings = upstream.cart_abandonment_settings() -%}

with

instances as (
    select * from {{ ref('int_cart_abandonment_instances') }}
),

steps as (
    {%- for step in settings.steps %}
    select
        journey_instance_id,
        profile_id,
        {{ step.number }} as step_number,
        '{{ step.name }}' as step_name,
        '{{ step.channel }}' as channel,
        {{ dbt.dateadd('minute', step.after_minutes, 'started_at') }} as due_at,
        exited_at,
        exit_reason,
        is_holdout
    from instances
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

stated as (
    select
        journey_instance_id,
        profile_id,
        step_number,
        step_name,
        channel,
        due_at,
        exited_at,
        exit_reason,
        is_holdout,
        case
            when exited_at is not null and exited_at <= due_at then 'cancelled'
            when due_at > {{ as_of }} then 'scheduled'
            when channel = 'ads' and exited_at is not null then 'ended'
            when channel = 'ads'
                and {{ dbt.dateadd('day', settings.ad_audience_days, 'due_at') }} <= {{ as_of }} then 'ended'
            else 'due'
        end as step_state
    from steps
)

select * from stated
