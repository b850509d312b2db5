{#- Priority of an id_type as a SQL CASE (lower = stronger), from var upstream__identity_types. -#}
{% macro identity_priority(id_type_expr) -%}
    case {{ id_type_expr }}
        {%- for id_type, settings in var('upstream__identity_types').items() %}
        when '{{ id_type }}' then {{ settings['priority'] }}
        {%- endfor %}
        else 999
    end
{%- endmacro %}

{#- The most identifiers of a type one profile may hold, as a SQL CASE. -#}
{% macro identity_max_per_profile(id_type_expr) -%}
    case {{ id_type_expr }}
        {%- for id_type, settings in var('upstream__identity_types').items() %}
        when '{{ id_type }}' then {{ settings['max_per_profile'] }}
        {%- endfor %}
        else 1000000
    end
{%- endmacro %}

{#-
    The id_type that anchors profiles: the strongest type allowed only once per profile
    (user_id by default). Every other identifier joins the anchor it was linked to first.
    None when no type is limited to one.
-#}
{% macro identity_anchor_type() -%}
    {%- set ns = namespace(anchor=none, priority=none) -%}
    {%- for id_type, settings in var('upstream__identity_types').items() -%}
        {%- if settings['max_per_profile'] == 1 and (ns.priority is none or settings['priority'] < ns.priority) -%}
            {%- set ns.anchor = id_type -%}
            {%- set ns.priority = settings['priority'] -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(ns.anchor) -}}
{%- endmacro %}
