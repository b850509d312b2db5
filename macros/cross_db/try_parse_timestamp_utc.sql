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

{#-
    The instant in a raw column whose warehouse type is `data_type`: a column the loader already
    typed as a timestamp without zone (Segment's loaders and the collector write UTC there) is
    taken as it is, so a comparison with a constant lets the engine skip whole blocks; text, or a
    zoned timestamp, is parsed as above. Parsing a typed column reads it as text first, and
    DuckDB then compares every row.
-#}
{% macro raw_instant_utc(expr, data_type) -%}
    {%- if (data_type or '') | lower in ['timestamp', 'timestamp without time zone', 'timestamp_ntz'] -%}
        {{ expr }}
    {%- else -%}
        {{ upstream.try_parse_timestamp_utc(expr) }}
    {%- endif -%}
{%- endmacro %}
