{#
    Parse a raw timestamp (text in any ISO-8601 form, or an already typed timestamp) into a
    UTC `timestamp` without a zone. Unparseable values become NULL instead of failing the build,
    so staging can quarantine the row with a reason.
#}
{% macro try_parse_timestamp_utc(expr) %}
    {{- return(adapter.dispatch('try_parse_timestamp_utc', 'upstream')(expr)) -}}
{% endmacro %}

{% macro default__try_parse_timestamp_utc(expr) -%}
    cast(try_cast(cast({{ expr }} as {{ dbt.type_string() }}) as timestamp with time zone) as timestamp)
{%- endmacro %}

{% macro duckdb__try_parse_timestamp_utc(expr) -%}
    timezone('UTC', try_cast(cast({{ expr }} as varchar) as timestamptz))
{%- endmacro %}

{% macro spark__try_parse_timestamp_utc(expr) -%}
    {#- Spark keeps timestamps in the session zone; the session is configured as UTC. -#}
    try_cast(cast({{ expr }} as string) as timestamp)
{%- endmacro %}

{% macro postgres__try_parse_timestamp_utc(expr) -%}
    {#- The function comes from the on-run-start hook (engine_function_ddl); the shape check keeps
        plain words and numbers, which PostgreSQL would read as special dates, out of it. -#}
    case
        when cast({{ expr }} as text) ~ '^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)?$'
            then {{ target.schema }}.upstream_try_timestamp_utc(cast({{ expr }} as text))
    end
{%- endmacro %}
