{#-
    DuckDB's memory ceiling for this run, set by the on-run-start hook. Larger joins and sorts spill
    to <warehouse>.tmp instead of growing the process.

    UPSTREAM_DUCKDB_MEMORY_LIMIT (any DuckDB size, '8GB') wins. Otherwise the limit follows the
    machine: DuckDB's own default is 80% of the memory it may use (the container's limit where
    there is one), which leaves nothing for Dagster, the collector and dbt beside it; a run takes
    15% of that default (12% of the machine), at least 1 GiB. On the 24 GiB benchmark machine that
    is 2.8 GiB, under which a 10M-event build peaks below 4 GB and a 1M-profile build spills.

    dbt-duckdb keeps one database open for the whole run (keep_open) and memory_limit belongs to
    the database, not to a cursor, so the setting holds for every model of the run. The profile
    must not set memory_limit itself: it would set it again on every cursor.
-#}
{% macro apply_memory_limit() %}
    {{- return(adapter.dispatch('apply_memory_limit', 'upstream')()) -}}
{% endmacro %}

{#- Other engines size their own memory (Spark's driver memory, PostgreSQL's work_mem). -#}
{% macro default__apply_memory_limit() %}
    {{- return(none) -}}
{% endmacro %}

{% macro duckdb__apply_memory_limit() %}
    {%- set chosen = env_var('UPSTREAM_DUCKDB_MEMORY_LIMIT', '') | trim -%}
    {%- if chosen -%}
        {#- DuckDB's own error ("Memory must have a number") would not say where the value came from. -#}
        {%- if not modules.re.match('^[0-9]+([.][0-9]+)? *[A-Za-z]*$', chosen) -%}
            {{- exceptions.raise_compiler_error(
                "UPSTREAM_DUCKDB_MEMORY_LIMIT is '" ~ chosen ~ "': give a size DuckDB reads, such as 8GB or 512MB"
            ) -}}
        {%- endif -%}
        {%- set limit = chosen -%}
    {%- else -%}
        {%- do run_query('reset memory_limit') -%}
        {%- set default = run_query("select current_setting('memory_limit')").columns[0].values()[0] -%}
        {%- set limit = (
            [upstream.duckdb_size_bytes(default) * 0.15, 1024 * 1024 * 1024] | max
        ) | int ~ 'B' -%}
    {%- endif -%}
    {%- do run_query("set memory_limit = '" ~ limit ~ "'") -%}
{% endmacro %}

{#- Bytes in a size as DuckDB prints it ('18.8 GiB', '953.6 MiB', '512 bytes'). -#}
{% macro duckdb_size_bytes(size) %}
    {%- set units = {'bytes': 1, 'kib': 1024, 'mib': 1024 ** 2, 'gib': 1024 ** 3, 'tib': 1024 ** 4} -%}
    {%- set number, unit = size.strip().split(' ') -%}
    {%- if unit | lower not in units -%}
        {{- exceptions.raise_compiler_error("Cannot read DuckDB's memory size '" ~ size ~ "'") -}}
    {%- endif -%}
    {{- return(number | float * units[unit | lower]) -}}
{% endmacro %}
