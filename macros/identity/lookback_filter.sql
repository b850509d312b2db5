{#-
    In an incremental run: ` and <received_at> >= <latest received_at stored> - lookback days`,
    so rows that reached the warehouse late are read again. Nothing in a full build.
-#}
{% macro lookback_filter(received_at) -%}
    {%- if is_incremental() %} and {{ received_at }} >= (
        select {{ dbt.dateadd('day', -1 * var('upstream__lookback_days'), 'max(received_at)') }} from {{ this }}
    ){%- endif -%}
{%- endmacro %}
