{#- The relation `identifier` in this model's schema as the previous run left it, or none
    (none as well where there is no model, as in a unit test). -#}
{% macro previous_relation(identifier) -%}
    {%- if not execute or this is none -%}
        {{- return(none) -}}
    {%- endif -%}
    {{- return(adapter.get_relation(database=this.database, schema=this.schema, identifier=identifier)) -}}
{%- endmacro %}
