{#
    One row per order_id (the first Order Completed received for it), with its profile. An order
    delivered twice under two message ids still counts once; guest orders (cookie + email, no
    user id) land on whatever profile the identity graph gives them.
#}

with

orders as (
    select * from {{ ref('stg_segment__order_completed_events') }}
    where order_id is not null
),

attributed as (
    select * from {{ ref('int_messages_attributed') }}
),

ranked as (
    select
        orders.order_id,
        orders.message_id,
        attributed.profile_id,
        orders.occurred_at as ordered_at,
        coalesce(orders.revenue, orders.total) as revenue,
        orders.currency,
        orders.products,
        row_number() over (
            partition by orders.order_id order by orders.received_at, orders.message_id
        ) as delivery_rank
    from orders
    inner join attributed on orders.message_id = attributed.message_id
),

deduplicated as (
    select
        order_id,
        message_id,
        profile_id,
        ordered_at,
        revenue,
        currency,
        products
    from ranked
    where delivery_rank = 1
)

select * from deduplicated
