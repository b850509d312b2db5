{#
    Cart-abandonment journey instances, one per checkout (keyed by checkout_id, else order_id,
    else the message id), for checkouts recent enough to still have a step to run at as_of.

    Entry: the first Checkout Started of the checkout; the cart is that of its latest one.
    Exit, whichever comes first:
      converted   an Order Completed at or after the start, by the same profile or carrying the
                  same checkout_id / order_id;
      superseded  re-entry policy: one running instance per profile — the profile's next
                  checkout replaces this one and starts over with the new cart (frequency caps
                  still apply to its messages).
    Only rows up to as_of are read, so a replay at a past as_of sees what was known then.
#}
{%- set as_of = upstream.as_of_timestamp() -%}
{%- set settings = upstream.cart_abandonment_settings() -%}

with

attributed as (
    select * from {{ ref('int_messages_attributed') }}
),

checkout_rows as (
    select
        attributed.profile_id,
        coalesce(checkouts.checkout_id, checkouts.order_id, checkouts.message_id) as checkout_key,
        checkouts.checkout_id,
        checkouts.order_id,
        checkouts.message_id,
        checkouts.products,
        coalesce(checkouts.revenue, checkouts.total) as cart_value,
        checkouts.currency,
        checkouts.occurred_at
    from {{ ref('stg_segment__checkout_started_events') }} as checkouts
    inner join attributed on checkouts.message_id = attributed.message_id
    where
        checkouts.occurred_at <= {{ as_of }}
        and checkouts.occurred_at >= {{ dbt.dateadd('minute', -1 * settings.horizon_minutes, as_of) }}
),

ordered_rows as (
    select
        *,
        row_number() over (partition by checkout_key order by occurred_at asc, message_id asc) as first_rank,
        row_number() over (partition by checkout_key order by occurred_at desc, message_id desc) as last_rank
    from checkout_rows
),

instances as (
    select
        first_row.checkout_key,
        first_row.profile_id,
        first_row.checkout_id,
        coalesce(first_row.order_id, last_row.order_id) as order_id,
        first_row.occurred_at as started_at,
        last_row.occurred_at as cart_updated_at,
        cast(last_row.products as {{ dbt.type_string() }}) as cart_items,
        last_row.cart_value,
        last_row.currency
    from ordered_rows as first_row
    inner join ordered_rows as last_row
        on first_row.checkout_key = last_row.checkout_key
        and last_row.last_rank = 1
    where first_row.first_rank = 1
),

orders as (
    select
        attributed.profile_id,
        orders.checkout_id,
        orders.order_id,
        orders.occurred_at
    from {{ ref('stg_segment__order_completed_events') }} as orders
    inner join attributed on orders.message_id = attributed.message_id
    where
        orders.occurred_at <= {{ as_of }}
        and orders.occurred_at >= {{ dbt.dateadd('minute', -1 * settings.horizon_minutes, as_of) }}
),

{# One equi-join per way an order can match, not one join on an OR: an OR leaves the engine
    only the inequality to join on, which compares every instance with every order. #}
conversion_matches as (
    {%- for key in ['profile_id', 'checkout_id', 'order_id'] %}
    select
        instances.checkout_key,
        orders.occurred_at
    from instances
    inner join orders
        on instances.{{ key }} = orders.{{ key }}
        and instances.started_at <= orders.occurred_at
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

conversions as (
    select
        checkout_key,
        min(occurred_at) as converted_at
    from conversion_matches
    group by checkout_key
),

successors as (
    select
        checkout_key,
        lead(started_at) over (partition by profile_id order by started_at, checkout_key) as superseded_at
    from instances
),

exits as (
    select
        instances.*,
        conversions.converted_at,
        successors.superseded_at,
        case
            when conversions.converted_at is not null
                and (successors.superseded_at is null or conversions.converted_at <= successors.superseded_at)
                then conversions.converted_at
            else successors.superseded_at
        end as exited_at
    from instances
    left join conversions on instances.checkout_key = conversions.checkout_key
    left join successors on instances.checkout_key = successors.checkout_key
),

final as (
    select
        md5('cart_abandonment:' || checkout_key) as journey_instance_id,
        checkout_key,
        profile_id,
        checkout_id,
        order_id,
        started_at,
        cart_updated_at,
        cart_items,
        cart_value,
        currency,
        converted_at,
        superseded_at,
        exited_at,
        case
            when exited_at is null then null
            when exited_at = converted_at then 'converted'
            else 'superseded'
        end as exit_reason,
        {{ upstream.audience_is_holdout('cart_abandonment', 'profile_id', settings.holdout_share) }} as is_holdout
    from exits
)

select * from final
