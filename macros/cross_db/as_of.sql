{#-
    The instant every window is measured from: var upstream__as_of (UTC), or the run's start.
    Using run_started_at rather than now() keeps every model of one run on the same instant.
-#}
{% macro as_of_timestamp() -%}
    cast('{{ upstream.as_of_text() }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- The same instant as text ('YYYY-MM-DD HH:MM:SS'), for log lines. -#}
{% macro as_of_text() -%}
    {{- var('upstream__as_of', none) or run_started_at.strftime("%Y-%m-%d %H:%M:%S") -}}
{%- endmacro %}
