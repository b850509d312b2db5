{#
    One row per profile with the traits channels need, as of var upstream__as_of (rows after it
    are ignored, so a past as_of replays what was known then). Traits are written with the trait
    toolkit (macros/traits). Contact fields take the most recent non-null value from identify
    calls and the users table; user_id is the profile's one user id from the identity graph.
#}
{%- set as_of = upstream.as_of_timestamp() -%}
{%- set lifecycle = var('upstream__lifecycle') -%}

with

graph as (
    select * from {{ ref('id_graph') }}
),

attributed as (
    select * from {{ ref('int_messages_attributed') }}
),

mentions as (
    select * from {{ ref('int_identifier_mentions') }}
),

orders as (
    select * from {{ ref('int_orders_deduplicated') }}
),

extra as (
    select
        profile_id,
        extra_traits
    from {{ ref('profile_extra_traits') }}
),

contact_rows as (
    select
        attributed.profile_id,
        identify_calls.occurred_at,
        identify_calls.email,
        identify_calls.phone,
        identify_calls.first_name
    from {{ ref('stg_segment__identifies') }} as identify_calls
    inner join attributed on identify_calls.message_id = attributed.message_id
    union all
    select
        graph.profile_id,
        user_rows.updated_at as occurred_at,
        user_rows.email,
        user_rows.phone,
        user_rows.first_name
    from {{ ref('stg_segment__users') }} as user_rows
    inner join graph on user_rows.user_id = graph.id_value and graph.id_type = 'user_id'
),

product_views as (
    select
        attributed.profile_id,
        viewed.occurred_at,
        viewed.sku
    from {{ ref('stg_segment__product_viewed_events') }} as viewed
    inner join attributed on viewed.message_id = attributed.message_id
),

cart_additions as (
    select
        attributed.profile_id,
        added.occurred_at,
        added.sku,
        coalesce(added.quantity, 1) as quantity,
        coalesce(added.price, 0) * coalesce(added.quantity, 1) as line_value
    from {{ ref('stg_segment__product_added_events') }} as added
    inner join attributed on added.message_id = attributed.message_id
),

checkouts as (
    select
        attributed.profile_id,
        checkouts.occurred_at
    from {{ ref('stg_segment__checkout_started_events') }} as checkouts
    inner join attributed on checkouts.message_id = attributed.message_id
),

device_rows as (
    select
        attributed.profile_id,
        screens.occurred_at,
        screens.device_type
    from {{ ref('stg_segment__screens') }} as screens
    inner join attributed on screens.message_id = attributed.message_id
    union all
    select
        attributed.profile_id,
        pages.occurred_at,
        'web' as device_type
    from {{ ref('stg_segment__pages') }} as pages
    inner join attributed on pages.message_id = attributed.message_id
),

sightings as (
    select
        graph.profile_id,
        {{ upstream.trait('min', 'mentions.occurred_at', time_column='mentions.occurred_at') }}
            as first_seen_at,
        {{ upstream.trait('max', 'mentions.occurred_at', time_column='mentions.occurred_at') }}
            as last_seen_at,
        max(case when graph.id_type = 'user_id' then graph.id_value end) as user_id
    from graph
    inner join mentions
        on graph.id_type = mentions.id_type
        and graph.id_value = mentions.id_value
    group by graph.profile_id
),

contact_traits as (
    select
        profile_id,
        {{ upstream.trait('last', 'email') }} as email,
        {{ upstream.trait('last', 'phone') }} as phone,
        {{ upstream.trait('last', 'first_name') }} as first_name
    from contact_rows
    group by profile_id
),

order_traits as (
    select
        profile_id,
        {{ upstream.trait('count', 'order_id', time_column='ordered_at') }} as order_count,
        {{ upstream.trait('sum', 'revenue', time_column='ordered_at') }} as lifetime_revenue,
        {{ upstream.trait('min', 'ordered_at', time_column='ordered_at') }} as first_order_at,
        {{ upstream.trait('max', 'ordered_at', time_column='ordered_at') }} as last_order_at
    from orders
    group by profile_id
),

view_traits as (
    select
        profile_id,
        {{ upstream.trait('count', within_days=30) }} as product_views_30d
    from product_views
    group by profile_id
),

favorite_skus as (
    {{ upstream.trait_most_frequent('product_views', 'profile_id', 'sku') }}
),

checkout_traits as (
    select
        profile_id,
        {{ upstream.trait('max', 'occurred_at') }} as last_checkout_started_at
    from checkouts
    group by profile_id
),

device_traits as (
    select
        profile_id,
        {{ upstream.trait('list', 'device_type') }} as device_types
    from device_rows
    group by profile_id
),

{# The open cart: what was added after the last order (or ever, without one), up to as_of. #}
open_cart_lines as (
    select
        cart_additions.profile_id,
        cart_additions.sku,
        sum(cart_additions.quantity) as quantity,
        sum(cart_additions.line_value) as line_value
    from cart_additions
    left join order_traits on cart_additions.profile_id = order_traits.profile_id
    where
        cart_additions.occurred_at <= {{ as_of }}
        and (order_traits.last_order_at is null or cart_additions.occurred_at > order_traits.last_order_at)
        and cart_additions.sku is not null
    group by cart_additions.profile_id, cart_additions.sku
),

open_carts as (
    select
        profile_id,
        sum(line_value) as open_cart_value,
        {{ upstream.agg_json_objects('sku', 'quantity', 'sku') }} as open_cart_items
    from open_cart_lines
    group by profile_id
),

combined as (
    select
        sightings.profile_id,
        sightings.user_id,
        contact_traits.email,
        contact_traits.phone,
        contact_traits.first_name,
        sightings.first_seen_at,
        sightings.last_seen_at,
        coalesce(order_traits.order_count, 0) as order_count,
        coalesce(order_traits.lifetime_revenue, 0) as lifetime_revenue,
        order_traits.first_order_at,
        order_traits.last_order_at,
        checkout_traits.last_checkout_started_at,
        open_carts.open_cart_value,
        open_carts.open_cart_items,
        coalesce(view_traits.product_views_30d, 0) as product_views_30d,
        favorite_skus.value as favorite_sku,
        device_traits.device_types,
        extra.extra_traits
    from sightings
    left join contact_traits on sightings.profile_id = contact_traits.profile_id
    left join order_traits on sightings.profile_id = order_traits.profile_id
    left join checkout_traits on sightings.profile_id = checkout_traits.profile_id
    left join open_carts on sightings.profile_id = open_carts.profile_id
    left join view_traits on sightings.profile_id = view_traits.profile_id
    left join favorite_skus on sightings.profile_id = favorite_skus.profile_id
    left join device_traits on sightings.profile_id = device_traits.profile_id
    left join extra on sightings.profile_id = extra.profile_id
    {# Profiles first seen after as_of did not exist yet. #}
    where sightings.first_seen_at is not null
),

{# RFM quintiles among profiles with orders: 5 is the most recent / frequent / valuable. #}
rfm as (
    select
        profile_id,
        6 - ntile(5) over (order by last_order_at desc, profile_id asc) as rfm_recency,
        ntile(5) over (order by order_count asc, profile_id asc) as rfm_frequency,
        ntile(5) over (order by lifetime_revenue asc, profile_id asc) as rfm_monetary
    from combined
    where order_count > 0
),

as_of_instant as (
    select {{ as_of }} as as_of_at
),

{# Day counts are calendar days between the two dates (UTC). #}
scored as (
    select
        combined.*,
        rfm.rfm_recency,
        rfm.rfm_frequency,
        rfm.rfm_monetary,
        {{ upstream.days_between('combined.last_order_at', 'as_of_instant.as_of_at') }} as days_since_last_order,
        {{ upstream.days_between('combined.last_seen_at', 'as_of_instant.as_of_at') }} as days_since_last_seen,
        {{ upstream.days_between('combined.first_seen_at', 'as_of_instant.as_of_at') }} as days_since_first_seen
    from combined
    cross join as_of_instant
    left join rfm on combined.profile_id = rfm.profile_id
),

final as (
    select
        cast(profile_id as {{ dbt.type_string() }}) as profile_id,
        cast(user_id as {{ dbt.type_string() }}) as user_id,
        cast(email as {{ dbt.type_string() }}) as email,
        cast(phone as {{ dbt.type_string() }}) as phone,
        cast(first_name as {{ dbt.type_string() }}) as first_name,
        first_seen_at,
        last_seen_at,
        cast(order_count as {{ dbt.type_bigint() }}) as order_count,
        cast(lifetime_revenue as decimal(18, 2)) as lifetime_revenue,
        cast(case when order_count > 0 then lifetime_revenue / order_count end as decimal(18, 2)) as avg_order_value,
        first_order_at,
        last_order_at,
        cast(days_since_last_order as {{ dbt.type_bigint() }}) as days_since_last_order,
        last_checkout_started_at,
        cast(open_cart_value as decimal(18, 2)) as open_cart_value,
        cast(open_cart_items as {{ dbt.type_string() }}) as open_cart_items,
        cast(product_views_30d as {{ dbt.type_bigint() }}) as product_views_30d,
        cast(favorite_sku as {{ dbt.type_string() }}) as favorite_sku,
        cast(coalesce(device_types, '[]') as {{ dbt.type_string() }}) as device_types,
        cast(rfm_recency as {{ dbt.type_int() }}) as rfm_recency,
        cast(rfm_frequency as {{ dbt.type_int() }}) as rfm_frequency,
        cast(rfm_monetary as {{ dbt.type_int() }}) as rfm_monetary,
        cast(case
            when lifetime_revenue >= {{ lifecycle['vip_min_revenue'] }}
                and days_since_last_order <= {{ lifecycle['at_risk_days'] }} then 'vip'
            when days_since_first_seen <= {{ lifecycle['new_days'] }} then 'new'
            when days_since_last_seen <= {{ lifecycle['active_days'] }} then 'active'
            when days_since_last_seen <= {{ lifecycle['at_risk_days'] }} then 'at_risk'
            else 'lapsed'
        end as {{ dbt.type_string() }}) as lifecycle_stage,
        cast(coalesce(extra_traits, '{}') as {{ dbt.type_string() }}) as extra_traits
    from scored
)

select * from final
