{#
    Segment Consent on events, one row per message and category the message states a preference
    for (context_consent_category_preferences_<category> = true / false). Segment Consent
    Preference Updated tracks land in `tracks` like every track, so they are read from there;
    an event in both `tracks` and its own table counts once.
    Each table is read once: its rows meet the list of categories it has a column for (an
    unpivot), instead of one scan per category.
#}
{%- set categories = var('upstream__consent_categories') -%}
{%- set tables = ['identifies', 'tracks', 'pages', 'screens', 'product_viewed', 'product_added',
    'cart_viewed', 'checkout_started', 'order_completed'] -%}

with

statements as (
    {%- for table_name in tables %}
    {%- set contract = upstream.source_contract('segment', table_name) | map(attribute='name') | list %}
    {%- set stated = [] %}
    {%- for category in categories %}
    {%- if 'context_consent_category_preferences_' ~ category in contract or not execute %}
    {%- do stated.append(category) %}
    {%- endif %}
    {%- endfor %}
    {%- if stated %}
    select
        base.message_id,
        stated.category,
        case stated.category_index
            {%- for category in stated %}
            when {{ loop.index }}
                then {{ upstream.parse_consent_flag('base.context_consent_category_preferences_' ~ category) }}
            {%- endfor %}
        end as is_granted,
        base.email,
        base.phone,
        base.occurred_at
    from {{ ref('base_segment__' ~ table_name) }} as base
    cross join (
        values
        {%- for category in stated %}
        ({{ loop.index }}, '{{ category }}'){{ "," if not loop.last }}
        {%- endfor %}
    ) as stated (category_index, category)
    where base.rejection_reason is null and base.copy_number = 1
    union all
    {%- endif %}
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
