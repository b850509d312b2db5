{#- Replace every match of a POSIX-style pattern. -#}
{% macro regexp_replace_all(expr, pattern, replacement) %}
    {{- return(adapter.dispatch('regexp_replace_all', 'upstream')(expr, pattern, replacement)) -}}
{% endmacro %}

{% macro default__regexp_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro spark__regexp_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}

{#- True when the pattern (a SQL expression: a quoted literal or a column) matches anywhere in the value. -#}
{% macro regexp_like(expr, pattern) %}
    {{- return(adapter.dispatch('regexp_like', 'upstream')(expr, pattern)) -}}
{% endmacro %}

{% macro default__regexp_like(expr, pattern) -%}
    regexp_matches({{ expr }}, {{ pattern }})
{%- endmacro %}

{% macro postgres__regexp_like(expr, pattern) -%}
    ({{ expr }} ~ {{ pattern }})
{%- endmacro %}

{% macro spark__regexp_like(expr, pattern) -%}
    ({{ expr }} rlike {{ pattern }})
{%- endmacro %}
