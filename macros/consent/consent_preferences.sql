{#-
    Segment Consent on events, one row per message and category the message states a preference
    for (context_consent_category_preferences_<category> = true / false). Segment Consent
    Preference Updated tracks land in `tracks` like every track, so they are read from there.
    Each table is read once: its rows meet the list of categories it has a column for (an
    unpivot), instead of one scan per category.
    A track event sits in `tracks` and again in its own table: a per-event table only adds the
    messages `tracks` does not hold (an anti-join, much cheaper than a DISTINCT over every
    statement).

    `messages` (optional): the name of a relation or CTE with a message_id column. Every table is
    joined to it first, so an incremental run that decides a few messages again reads only
    theirs; without it, the anti-join against `tracks` hashes every tracked message per event
    table, seconds at 10M events whatever the run's size.
-#}
{% macro consent_preferences(messages=none) -%}
    {%- set categories = var('upstream__consent_categories') -%}
    {%- set event_tables = upstream.consent_event_tables() -%}
    {%- set scope_join = 'inner join ' ~ messages ~ ' as scope on base.message_id = scope.message_id' if messages else '' -%}

with

tracked_messages as (
    select base.message_id
    from {{ ref('base_segment__tracks') }} as base
    {{ scope_join }}
    where base.rejection_reason is null and base.copy_number = 1
),

statements as (
    {%- for table_name in upstream.consent_tables() %}
    {%- set contract = upstream.source_contract('segment', table_name) | map(attribute='name') | list %}
    {%- set stated = [] %}
    {%- for category in categories %}
    {%- if 'context_consent_category_preferences_' ~ category in contract or not execute %}
    {%- do stated.append(category) %}
    {%- endif %}
    {%- endfor %}
    {%- set untracked_only = 'and not exists (select 1 from tracked_messages where tracked_messages.message_id = '
        ~ 'base.message_id)' if table_name in event_tables else '' %}
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
    {{ scope_join }}
    cross join (
        values
        {%- for category in stated %}
        ({{ loop.index }}, '{{ category }}'){{ "," if not loop.last }}
        {%- endfor %}
    ) as stated (category_index, category)
    where base.rejection_reason is null and base.copy_number = 1 {{ untracked_only }}
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
)

select * from statements
where is_granted is not null
{%- endmacro %}

{#- The Segment tables consent_preferences reads: those a message sits in alone, then the per-event
    tables, whose messages are also in `tracks`. -#}
{% macro consent_tables() -%}
    {{- return(['identifies', 'tracks', 'pages', 'screens'] + upstream.consent_event_tables()) -}}
{%- endmacro %}

{% macro consent_event_tables() -%}
    {{- return(['product_viewed', 'product_added', 'cart_viewed', 'checkout_started', 'order_completed']) -}}
{%- endmacro %}

{#- The consent categories (var upstream__consent_categories) as a quoted SQL list. -#}
{% macro consent_category_list() -%}
    {%- for category in var('upstream__consent_categories') -%}
        '{{ category }}'{{ ", " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
