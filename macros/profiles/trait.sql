{#-
    Trait toolkit: one line of SQL per trait, inside a query grouped by profile.

        {{ upstream.trait('count') }}                                  -- events
        {{ upstream.trait('count', within_days=30) }}                  -- events in the last 30 days
        {{ upstream.trait('sum', 'revenue', between_days=[7, 30]) }}   -- 7 to 30 days ago
        {{ upstream.trait('max', 'occurred_at', where="event_name = 'checkout_started'") }}
        {{ upstream.trait('last', 'email') }}                          -- most recent non-null value
        {{ upstream.trait('count_distinct', 'sku') }}, {{ upstream.trait('list', 'device_type') }}

    aggregations: count, sum, avg, min, max, count_distinct, list (distinct, sorted, as JSON text),
    first / last (by `time_column`, non-null values only). Windows are measured back from
    upstream__as_of and include both ends: within_days=30 keeps as_of - 30 days <= t <= as_of;
    between_days=[7, 30] keeps as_of - 30 days <= t <= as_of - 7 days. Rows after as_of never
    count, whatever the window, so a run with a past as_of replays what was known then.
    Most-frequent values need their own grouping: macro trait_most_frequent.
-#}
{% macro trait(aggregation, expr='1', within_days=none, between_days=none, where=none, time_column='occurred_at') -%}
    {%- set condition = upstream.trait_condition(time_column, within_days, between_days, where) -%}
    {%- if aggregation == 'count' -%}
        count(case when {{ condition }} and ({{ expr }}) is not null then 1 end)
    {%- elif aggregation in ['sum', 'avg', 'min', 'max'] -%}
        {{ aggregation }}(case when {{ condition }} then {{ expr }} end)
    {%- elif aggregation == 'count_distinct' -%}
        count(distinct case when {{ condition }} then {{ expr }} end)
    {%- elif aggregation == 'list' -%}
        {{ upstream.agg_sorted_distinct_json(expr, condition) }}
    {%- elif aggregation == 'first' -%}
        {{ upstream.agg_value_at_extreme(expr, time_column, condition, 'first') }}
    {%- elif aggregation == 'last' -%}
        {{ upstream.agg_value_at_extreme(expr, time_column, condition, 'last') }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("trait(): unknown aggregation '" ~ aggregation ~ "'") }}
    {%- endif -%}
{%- endmacro %}

{#- The row filter of a trait: not after as_of, inside the window, and the caller's own filter. -#}
{% macro trait_condition(time_column='occurred_at', within_days=none, between_days=none, where=none) -%}
    {%- set as_of = upstream.as_of_timestamp() -%}
    ({{ time_column }} <= {{ as_of }}
    {%- if within_days is not none %}
        and {{ time_column }} >= {{ dbt.dateadd('day', -1 * within_days, as_of) }}
    {%- endif %}
    {%- if between_days is not none %}
        and {{ time_column }} <= {{ dbt.dateadd('day', -1 * between_days[0], as_of) }}
        and {{ time_column }} >= {{ dbt.dateadd('day', -1 * between_days[1], as_of) }}
    {%- endif %}
    {%- if where %}
        and ({{ where }})
    {%- endif %})
{%- endmacro %}

{#- Distinct non-null values, sorted, as a JSON array in text (same type on every engine). -#}
{% macro agg_sorted_distinct_json(expr, condition) %}
    {{- return(adapter.dispatch('agg_sorted_distinct_json', 'upstream')(expr, condition)) -}}
{% endmacro %}

{% macro default__agg_sorted_distinct_json(expr, condition) -%}
    cast(to_json(coalesce(
        list_sort(list(distinct {{ expr }}) filter (where {{ condition }} and {{ expr }} is not null)),
        []
    )) as varchar)
{%- endmacro %}

{% macro postgres__agg_sorted_distinct_json(expr, condition) -%}
    cast(coalesce(
        to_jsonb(array_agg(distinct {{ expr }} order by {{ expr }}) filter (where {{ condition }} and {{ expr }} is not null)),
        '[]'::jsonb
    ) as text)
{%- endmacro %}

{% macro spark__agg_sorted_distinct_json(expr, condition) -%}
    to_json(array_sort(collect_set(case when {{ condition }} then {{ expr }} end)))
{%- endmacro %}

{#- The value at the earliest ('first') or latest ('last') time among rows passing the condition. -#}
{% macro agg_value_at_extreme(expr, time_column, condition, which) %}
    {{- return(adapter.dispatch('agg_value_at_extreme', 'upstream')(expr, time_column, condition, which)) -}}
{% endmacro %}

{% macro default__agg_value_at_extreme(expr, time_column, condition, which) -%}
    {{ 'arg_min' if which == 'first' else 'arg_max' }}({{ expr }}, {{ time_column }})
        filter (where {{ condition }} and {{ expr }} is not null)
{%- endmacro %}

{% macro postgres__agg_value_at_extreme(expr, time_column, condition, which) -%}
    (array_agg({{ expr }} order by {{ time_column }} {{ 'asc' if which == 'first' else 'desc' }})
        filter (where {{ condition }} and {{ expr }} is not null))[1]
{%- endmacro %}

{% macro spark__agg_value_at_extreme(expr, time_column, condition, which) -%}
    {{ 'min_by' if which == 'first' else 'max_by' }}(case when {{ condition }} then {{ expr }} end,
        case when {{ condition }} and {{ expr }} is not null then {{ time_column }} end)
{%- endmacro %}

{#- [{"<key>": k, "<value>": v}, ...] ordered by `order_expr`, as JSON text (the open cart's items). -#}
{% macro agg_json_objects(key_expr, value_expr, order_expr) %}
    {{- return(adapter.dispatch('agg_json_objects', 'upstream')(key_expr, value_expr, order_expr)) -}}
{% endmacro %}

{% macro default__agg_json_objects(key_expr, value_expr, order_expr) -%}
    cast(to_json(list({'{{ key_expr }}': {{ key_expr }}, '{{ value_expr }}': {{ value_expr }}} order by {{ order_expr }})) as varchar)
{%- endmacro %}

{% macro postgres__agg_json_objects(key_expr, value_expr, order_expr) -%}
    cast(jsonb_agg(jsonb_build_object('{{ key_expr }}', {{ key_expr }}, '{{ value_expr }}', {{ value_expr }}) order by {{ order_expr }}) as text)
{%- endmacro %}

{% macro spark__agg_json_objects(key_expr, value_expr, order_expr) -%}
    to_json(transform(array_sort(collect_list(struct({{ order_expr }} as sort_key, {{ key_expr }}, {{ value_expr }}))), x -> named_struct('{{ key_expr }}', x.{{ key_expr }}, '{{ value_expr }}', x.{{ value_expr }})))
{%- endmacro %}
