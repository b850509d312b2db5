{#-
    The latest instant a raw row may claim to have arrived: this run's wall-clock start plus var
    upstream__max_arrival_skew_minutes (loaders' clocks drift a little). A row received, or a
    governance statement made, later than this is quarantined, and no high-water mark counts it:
    one row stamped 2099 would otherwise become the mark, and every later row would look old.
    The run's start, not as_of: a replay pinned in the past still reads rows that arrived since.
-#}
{% macro latest_valid_arrival() -%}
    {{ dbt.dateadd('minute', var('upstream__max_arrival_skew_minutes'), upstream.run_recorded_at()) }}
{%- endmacro %}

{#- `(select <latest valid `column` stored in `relation`> - var upstream__lookback_days)`: where an
    incremental run starts reading again. -#}
{% macro lookback_start(relation, column='received_at') -%}
    (select {{ dbt.dateadd('day', -1 * var('upstream__lookback_days'), 'max(' ~ column ~ ')') }}
    from {{ relation }} where {{ column }} <= {{ upstream.latest_valid_arrival() }})
{%- endmacro %}

{#- The same instant, read once before the model's query and written into it as a constant
    (`cast(null as timestamp)` when nothing valid is stored). As a subquery it sat in every
    comparison: DuckDB joined it to each raw row in a nested loop, and no engine can skip stored
    blocks against a value it only learns while reading them. -#}
{% macro lookback_cutoff(relation, column='received_at') -%}
    {%- if not execute -%}
        {{- return('cast(null as ' ~ dbt.type_timestamp() ~ ')') -}}
    {%- endif -%}
    {%- set value = run_query('select ' ~ upstream.lookback_start(relation, column) ~ ' as cutoff').columns[0].values()[0] -%}
    {%- if value is none -%}
        {{- return('cast(null as ' ~ dbt.type_timestamp() ~ ')') -}}
    {%- endif -%}
    {%- set text = value.strftime('%Y-%m-%d %H:%M:%S.%f') if value.strftime is defined else value | string -%}
    {{- return('cast(' ~ upstream.string_literal(text) ~ ' as ' ~ dbt.type_timestamp() ~ ')') -}}
{%- endmacro %}
