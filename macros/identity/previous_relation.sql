{#- The relation `identifier` in this model's schema as the previous run left it, or none. -#}
{% macro previous_relation(identifier) -%}
    {%- if not execute -%}
        {{- return(none) -}}
    {%- endif -%}
    {{- return(adapter.get_relation(database=this.database, schema=this.schema, identifier=identifier)) -}}
{%- endmacro %}
