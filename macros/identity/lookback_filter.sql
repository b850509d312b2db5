{#-
    In an incremental run: ` and <received_at> >= <latest valid received_at stored> - lookback days`,
    so rows that reached the warehouse late are read again. Nothing in a full build.
-#}
{% macro lookback_filter(received_at) -%}
    {%- if is_incremental() %} and {{ received_at }} >= {{ upstream.lookback_start(this) }}{%- endif -%}
{%- endmacro %}
