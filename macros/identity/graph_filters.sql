{#- True for a row of int_identity_profiles that id_graph keeps: its profile and identifier are
    not forgotten by a deletion request (the whole profile goes, from the build applying it). -#}
{% macro is_remembered_graph_row(profiles_alias, forgotten_relation) -%}
    {{ profiles_alias }}.profile_id not in (
        select forgotten.profile_id from {{ forgotten_relation }} as forgotten
        where forgotten.profile_id is not null
    )
    and {{ profiles_alias }}.node_key not in (select forgotten.node_key from {{ forgotten_relation }} as forgotten)
{%- endmacro %}
