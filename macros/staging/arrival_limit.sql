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
