{#-
    The on-run-start hook: DuckDB's memory limit (memory_limit.sql), the target schema, the engine's
    helper functions and the append-only state tables (segment history, activation logs), so
    models can be built in any order.
    Statements run one at a time: Spark's session cursor takes a single statement per call.
-#}
{% macro prepare_warehouse() %}
    {% if execute %}
        {% do upstream.apply_memory_limit() %}
        {% do run_query('create schema if not exists ' ~ target.schema) %}
        {% do upstream.run_statements(
            upstream.engine_function_ddl() + upstream.segment_state_ddl() + upstream.activation_state_ddl()
        ) %}
    {% endif %}
{% endmacro %}

{#- SQL functions an engine lacks, created in the target schema (PostgreSQL only so far). -#}
{% macro engine_function_ddl() %}
    {{- return(adapter.dispatch('engine_function_ddl', 'upstream')()) -}}
{% endmacro %}

{% macro default__engine_function_ddl() %}
    {{- return([]) -}}
{% endmacro %}

{% macro postgres__engine_function_ddl() %}
    {#- pg_input_is_valid arrives only in PostgreSQL 16; this works from 9.4 on. -#}
    {%- set ddl -%}
        create or replace function {{ target.schema }}.upstream_is_valid_json(value text)
        returns boolean language plpgsql immutable as $$
        begin
            perform value::jsonb;
            return true;
        exception when others then
            return false;
        end;
        $$
    {%- endset -%}
    {#- PostgreSQL has no try_cast: an impossible date ('2026-13-45') must become NULL, not an error. -#}
    {%- set timestamp_ddl -%}
        create or replace function {{ target.schema }}.upstream_try_timestamp_utc(value text)
        returns timestamp language plpgsql immutable as $$
        begin
            return value::timestamptz at time zone 'UTC';
        exception when others then
            return null;
        end;
        $$
    {%- endset -%}
    {{- return([ddl, timestamp_ddl]) -}}
{% endmacro %}

{#- Columns of a state table as `name type` pairs, in the order given. -#}
{% macro state_table_ddl(relation, columns) -%}
    {%- set column_sql = [] -%}
    {%- for name, data_type in columns -%}
        {%- do column_sql.append(name ~ ' ' ~ data_type) -%}
    {%- endfor -%}
    create table if not exists {{ relation }} ({{ column_sql | join(', ') }}){{ upstream.state_table_format() }}
{%- endmacro %}

{#- Spark creates Hive text tables unless told otherwise; state tables are Parquet there. -#}
{% macro state_table_format() %}
    {{- return(adapter.dispatch('state_table_format', 'upstream')()) -}}
{% endmacro %}

{% macro default__state_table_format() -%}{%- endmacro %}

{% macro spark__state_table_format() %} using parquet{% endmacro %}

{#- The target's database, or none where the engine has no such level (Spark). -#}
{% macro target_database() %}
    {{- return(target.get('database')) -}}
{% endmacro %}
