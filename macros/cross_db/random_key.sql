{#- 128 random bits as 32 hex characters, drawn by the engine (never by dbt, so the value is in no
    compiled SQL or log). -#}
{% macro random_key() %}
    {{- return(adapter.dispatch('random_key', 'upstream')()) -}}
{% endmacro %}

{% macro default__random_key() -%}
    md5(cast(gen_random_uuid() as {{ dbt.type_string() }}))
{%- endmacro %}

{% macro spark__random_key() -%}
    md5(uuid())
{%- endmacro %}
