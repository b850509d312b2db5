{#- Priority of an id_type as a SQL CASE (lower = stronger), from var upstream__identity_types. -#}
{% macro identity_priority(id_type_expr) -%}
    case {{ id_type_expr }}
        {%- for id_type, settings in upstream.identity_types().items() %}
        when '{{ id_type }}' then {{ settings['priority'] }}
        {%- endfor %}
        else 999
    end
{%- endmacro %}

{#- The most identifiers of a type one profile may hold, as a SQL CASE. -#}
{% macro identity_max_per_profile(id_type_expr) -%}
    case {{ id_type_expr }}
        {%- for id_type, settings in upstream.identity_types().items() %}
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
    {%- for id_type, settings in upstream.identity_types().items() -%}
        {%- if settings['max_per_profile'] == 1 and (ns.priority is none or settings['priority'] < ns.priority) -%}
            {%- set ns.anchor = id_type -%}
            {%- set ns.priority = settings['priority'] -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(ns.anchor) -}}
{%- endmacro %}

{#- True when an email domain is reserved (var upstream__identity_reserved_email_domains) or under one. -#}
{% macro is_reserved_email_domain(domain_expr) -%}
    (
        {%- for domain in var('upstream__identity_reserved_email_domains') -%}
        {{ domain_expr }} = '{{ domain }}' or {{ domain_expr }} like '%.{{ domain }}'
        {{- " or " if not loop.last }}
        {%- else -%}
        1 = 0
        {%- endfor -%}
    )
{%- endmacro %}

{#- True for a +1 number that breaks the NANP plan: 10 digits, area and exchange not starting 0/1. -#}
{% macro is_invalid_nanp_phone(phone_expr) -%}
    ({{ phone_expr }} like '+1%' and (
        length({{ phone_expr }}) <> 12
        or substr({{ phone_expr }}, 3, 1) in ('0', '1')
        or substr({{ phone_expr }}, 6, 1) in ('0', '1')
    ))
{%- endmacro %}

{#- The hub guard's reason for an identifier, from its trait counts (var
    upstream__identity_trait_limits) and co-mention counts (var upstream__identity_hub_limits),
    as a SQL CASE; NULL when no limit is broken. `row` is the alias holding id_type and the
    distinct_<name>s counts. -#}
{% macro identity_hub_reason(row) -%}
    {%- if not var('upstream__identity_trait_limits', {}) and not var('upstream__identity_hub_limits') -%}
    cast(null as {{ dbt.type_string() }})
    {%- else -%}
    case
        {%- for id_type, limits in var('upstream__identity_trait_limits', {}).items() %}
        {%- for trait, limit in limits.items() %}
        when {{ row }}.id_type = '{{ id_type }}' and {{ row }}.distinct_{{ trait }}s > {{ limit }}
            then 'hub_{{ trait }}s'
        {%- endfor %}
        {%- endfor %}
        {%- for id_type, limits in var('upstream__identity_hub_limits').items() %}
        {%- for partner_type, limit in limits.items() %}
        when {{ row }}.id_type = '{{ id_type }}' and {{ row }}.distinct_{{ partner_type }}s > {{ limit }}
            then 'hub_{{ partner_type }}s'
        {%- endfor %}
        {%- endfor %}
    end
    {%- endif -%}
{%- endmacro %}

{#- Every identifier type: var upstream__identity_types with var upstream__identity_extra_types
    laid over it, so declaring one more type (for an extra source) does not mean repeating the
    whole map, and a default can be changed by naming only it. -#}
{% macro identity_types() -%}
    {%- set types = {} -%}
    {%- do types.update(var('upstream__identity_types')) -%}
    {%- do types.update(var('upstream__identity_extra_types', {})) -%}
    {{- return(types) -}}
{%- endmacro %}

{#- The identifier types whose distinct values the hub guard counts beside an identifier:
    user_id and anonymous_id always, and any other type a limit in upstream__identity_hub_limits
    names (a declared crm_id, say: `email: {crm_id: 2}`). -#}
{% macro hub_partner_types() -%}
    {%- set partners = ['user_id', 'anonymous_id'] -%}
    {%- for limits in var('upstream__identity_hub_limits').values() -%}
        {%- for partner_type in limits.keys() | sort if partner_type not in partners -%}
            {%- do partners.append(partner_type) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{- return(partners) -}}
{%- endmacro %}

{#- distinct_<type>s, the count column of each hub partner type. -#}
{% macro hub_partner_columns() -%}
    {%- set columns = [] -%}
    {%- for partner_type in upstream.hub_partner_types() -%}
        {%- do columns.append('distinct_' ~ partner_type ~ 's') -%}
    {%- endfor -%}
    {{- return(columns) -}}
{%- endmacro %}
