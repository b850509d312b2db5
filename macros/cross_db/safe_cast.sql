{#- Cast that yields NULL for values the type cannot hold, so one bad property never fails a build. -#}
{% macro safe_cast(expr, data_type) %}
    {{- return(adapter.dispatch('safe_cast', 'upstream')(expr, data_type)) -}}
{% endmacro %}

{% macro default__safe_cast(expr, data_type) -%}
    try_cast({{ expr }} as {{ data_type }})
{%- endmacro %}

{% macro postgres__safe_cast(expr, data_type) -%}
    {#- Numbers are the only properties we safe-cast; guard them with a shape check. -#}
    case
        when cast({{ expr }} as text) ~ '^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$'
            then cast(cast({{ expr }} as text) as {{ data_type }})
    end
{%- endmacro %}
