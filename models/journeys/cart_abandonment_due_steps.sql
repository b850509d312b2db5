{#
    Which journey step is due for whom at as_of, with what a message needs: the input of the
    journey's activation models. One row per (instance, step):
      email / sms      decided 'send' (cart_abandonment_decisions) within the channel's send window,
                       the instance still running (an order after the decision withdraws it);
      retargeting_ad   the instance is in the ad audience now (due, not exited, not held out).
    step_key (instance + step) is stable: a destination receiving it twice knows it is the same.
#}
{%- set as_of = upstream.as_of_timestamp() -%}
{%- set settings = upstream.cart_abandonment_settings() -%}

with

instances as (
    select * from {{ ref('int_cart_abandonment_instances') }}
),

profiles as (
    select * from {{ ref('profiles') }}
),

message_steps as (
    select
        journey_instance_id,
        step_number,
        step_name,
        channel,
        due_at,
        decided_at
    from {{ ref('cart_abandonment_decisions') }}
    where
        decision = 'send'
        and (
            {%- for channel, minutes in settings.send_window_minutes.items() %}
            (channel = '{{ channel }}' and decided_at >= {{ dbt.dateadd('minute', -1 * minutes, as_of) }})
            {{- " or" if not loop.last }}
            {%- endfor %}
        )
),

audience_steps as (
    select
        journey_instance_id,
        step_number,
        step_name,
        channel,
        due_at,
        cast(null as {{ dbt.type_timestamp() }}) as decided_at
    from {{ ref('int_cart_abandonment_steps') }}
    where
        channel = 'ads'
        and step_state = 'due'
        and not is_holdout
),

due_steps as (
    select * from message_steps
    union all
    select * from audience_steps
),

with_context as (
    select
        due_steps.journey_instance_id || ':' || due_steps.step_name as step_key,
        due_steps.journey_instance_id,
        due_steps.step_number,
        due_steps.step_name,
        due_steps.channel,
        instances.profile_id,
        due_steps.due_at,
        due_steps.decided_at,
        instances.started_at as checkout_started_at,
        instances.checkout_id,
        instances.cart_items,
        instances.cart_value,
        instances.currency,
        profiles.first_name,
        profiles.email,
        profiles.phone,
        profiles.lifecycle_stage,
        profiles.extra_traits
    from due_steps
    inner join instances on due_steps.journey_instance_id = instances.journey_instance_id
    inner join profiles on instances.profile_id = profiles.profile_id
    where instances.exited_at is null
)

select * from with_context
