{#- Whole calendar days from `start_expr` to `end_expr` (UTC dates), NULL when either is NULL. -#}
{% macro days_between(start_expr, end_expr) %}
    {{- return(adapter.dispatch('days_between', 'upstream')(start_expr, end_expr)) -}}
{% endmacro %}

{% macro default__days_between(start_expr, end_expr) -%}
    {{ dbt.datediff(start_expr, end_expr, 'day') }}
{%- endmacro %}

{% macro duckdb__days_between(start_expr, end_expr) -%}
    (cast({{ end_expr }} as date) - cast({{ start_expr }} as date))
{%- endmacro %}
