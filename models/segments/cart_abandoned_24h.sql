{#
    Profiles with a Checkout Started in the 24 hours before as_of (both ends included) and no
    Order Completed by the same profile at or after that checkout, up to as_of. With several
    checkouts in the window, the latest decides: an order after it clears every earlier one.
#}
{{ config(meta={'segment': {
    'description': 'Started a checkout in the last 24 hours and has not ordered since.',
    'owner': 'lifecycle-marketing',
    'refresh': 'dynamic',
    'channels': ['webhook'],
    'holdout_share': 0.1,
}}) }}
{%- set as_of = upstream.as_of_timestamp() -%}

with

attributed as (
    select * from {{ ref('int_messages_attributed') }}
),

checkouts as (
    select
        attributed.profile_id,
        checkouts.checkout_id,
        coalesce(checkouts.revenue, checkouts.total) as checkout_value,
        checkouts.occurred_at,
        row_number() over (
            partition by attributed.profile_id
            order by checkouts.occurred_at desc, checkouts.message_id desc
        ) as recency_rank
    from {{ ref('stg_segment__checkout_started_events') }} as checkouts
    inner join attributed on checkouts.message_id = attributed.message_id
    where
        checkouts.occurred_at >= {{ dbt.dateadd('hour', -24, as_of) }}
        and checkouts.occurred_at <= {{ as_of }}
),

last_checkouts as (
    select
        profile_id,
        checkout_id,
        checkout_value,
        occurred_at as last_checkout_started_at
    from checkouts
    where recency_rank = 1
),

last_orders as (
    select
        attributed.profile_id,
        max(orders.occurred_at) as last_order_at
    from {{ ref('stg_segment__order_completed_events') }} as orders
    inner join attributed on orders.message_id = attributed.message_id
    where orders.occurred_at <= {{ as_of }}
    group by attributed.profile_id
),

abandoned as (
    select
        last_checkouts.profile_id,
        last_checkouts.checkout_id,
        last_checkouts.checkout_value,
        last_checkouts.last_checkout_started_at
    from last_checkouts
    left join last_orders on last_checkouts.profile_id = last_orders.profile_id
    where
        last_orders.last_order_at is null
        or last_orders.last_order_at < last_checkouts.last_checkout_started_at
)

select * from abandoned
