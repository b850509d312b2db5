{#
    One row per profile with the traits channels need, as of var upstream__as_of (rows after it
    are ignored, so a past as_of replays what was known then). Whole-history traits come from
    int_profile_lifetime_traits (incremental); this model adds what moves with as_of or with
    everyone else — the 30-day window, day counts, RFM quintiles, lifecycle — and the traits
    declared from other tables. Only profiles that exist in id_graph now are kept.
#}
{%- set as_of = upstream.as_of_timestamp() -%}
{%- set lifecycle = var('upstream__lifecycle') -%}

with

current_profiles as (
    select distinct profile_id from {{ ref('id_graph') }}
),

lifetime as (
    select * from {{ ref('int_profile_lifetime_traits') }}
    where profile_id in (select current_profiles.profile_id from current_profiles)
),

attributed as (
    select * from {{ ref('int_messages_attributed') }}
),

extra as (
    select
        profile_id,
        extra_traits
    from {{ ref('profile_extra_traits') }}
),

{# Only the last 30 days of views are read. #}
recent_views as (
    select
        attributed.profile_id,
        viewed.occurred_at
    from {{ ref('stg_segment__product_viewed_events') }} as viewed
    inner join attributed on viewed.message_id = attributed.message_id
    where viewed.occurred_at >= {{ dbt.dateadd('day', -30, as_of) }}
),

view_traits as (
    select
        profile_id,
        {{ upstream.trait('count', within_days=30) }} as product_views_30d
    from recent_views
    group by profile_id
),

combined as (
    select
        lifetime.*,
        coalesce(view_traits.product_views_30d, 0) as product_views_30d,
        extra.extra_traits
    from lifetime
    left join view_traits on lifetime.profile_id = view_traits.profile_id
    left join extra on lifetime.profile_id = extra.profile_id
    {# Profiles first seen after as_of did not exist yet. #}
    where lifetime.first_seen_at is not null
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
        -- Rounded in whole cents, half away from zero: DuckDB divides decimals in floating point and
        -- PostgreSQL exactly, so casting the quotient would round 283.465 differently on each.
        cast(
            case when order_count > 0 then round(lifetime_revenue * 100 / order_count) / 100 end
            as decimal(18, 2)
        ) as avg_order_value,
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
