{#-
    The instant every window is measured from: var upstream__as_of (UTC), or the run's start.
    Using run_started_at rather than now() keeps every model of one run on the same instant.
-#}
{% macro as_of_timestamp() -%}
    {%- set as_of = var('upstream__as_of', none) -%}
    {%- if as_of -%}
        cast('{{ as_of }}' as {{ dbt.type_timestamp() }})
    {%- else -%}
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }})
    {%- endif -%}
{%- endmacro %}
