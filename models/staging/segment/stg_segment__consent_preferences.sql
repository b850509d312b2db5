{#
    Segment Consent on events, one row per message and category the message states a preference
    for (context_consent_category_preferences_<category> = true / false). Segment Consent
    Preference Updated tracks land in `tracks` like every track, so they are read from there;
    an event in both `tracks` and its own table counts once.
#}
{%- set categories = var('upstream__consent_categories') -%}
{%- set tables = ['identifies', 'tracks', 'pages', 'screens', 'product_viewed', 'product_added',
    'cart_viewed', 'checkout_started', 'order_completed'] -%}

with

statements as (
    {%- for table_name in tables %}
    {%- set contract = upstream.source_contract('segment', table_name) | map(attribute='name') | list %}
    {%- for category in categories %}
    {%- set column = 'context_consent_category_preferences_' ~ category %}
    {%- if column in contract or not execute %}
    select
        message_id,
        '{{ category }}' as category,
        {{ upstream.parse_consent_flag(column) }} as is_granted,
        email,
        phone,
        occurred_at
    from {{ ref('base_segment__' ~ table_name) }}
    where
        rejection_reason is null
        and copy_number = 1
        and {{ column }} is not null
    union all
    {%- endif %}
    {%- endfor %}
    {%- endfor %}
    select
        cast(null as {{ dbt.type_string() }}) as message_id,
        cast(null as {{ dbt.type_string() }}) as category,
        cast(null as {{ dbt.type_boolean() }}) as is_granted,
        cast(null as {{ dbt.type_string() }}) as email,
        cast(null as {{ dbt.type_string() }}) as phone,
        cast(null as {{ dbt.type_timestamp() }}) as occurred_at
    where 1 = 0
),

deduplicated as (
    select distinct
        message_id,
        category,
        is_granted,
        email,
        phone,
        occurred_at
    from statements
    where is_granted is not null
)

select * from deduplicated
