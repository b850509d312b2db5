{#-
    The instant every window is measured from (UTC): var upstream__as_of, else the environment
    variable UPSTREAM_AS_OF, else the run's start. Using run_started_at rather than now() keeps
    every model of one run on the same instant.
    Scheduled runs that pin the instant should set UPSTREAM_AS_OF rather than pass --vars: dbt
    re-parses the whole project whenever --vars changes (about 4 s). The variable is
    read only while executing, so dbt does not record it at parse time and its per-run value
    keeps partial parsing intact; SQL is compiled during execution, so every model sees it.
-#}
{% macro as_of_timestamp() -%}
    cast('{{ upstream.as_of_text() }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- The same instant as text ('YYYY-MM-DD HH:MM:SS[.ffffff]'), for log lines. The run's start
    keeps its microseconds: cut to the second, it would leave an event that arrived in the same
    second before the run started for the next run, a whole run later. -#}
{% macro as_of_text() -%}
    {%- set from_environment = env_var('UPSTREAM_AS_OF', '') if execute else '' -%}
    {{- var('upstream__as_of', none) or from_environment or run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") -}}
{%- endmacro %}

{#- This run's wall-clock start as a timestamp: the tie-breaker between two segment runs that share
    an as_of, and the loaded_at stamp incremental models compare with their previous run's. -#}
{% macro run_recorded_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}
