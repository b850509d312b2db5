{#-
    Deletes from a model keyed by (id_type, id_value) the identifiers forgotten by deletion
    requests (privacy_forgotten_identifiers holds their node_key hashes). A post-hook of the
    incremental identity models, whose stored rows would otherwise keep a forgotten value.
    Renders as a no-op query, so it can stand where a hook's SQL goes.
-#}
{% macro forget_identifiers(relation) -%}
    {%- set forgotten = api.Relation.create(
        database=upstream.target_database(), schema=target.schema, identifier='privacy_forgotten_identifiers'
    ) -%}
    {%- if execute and adapter.get_relation(forgotten.database, forgotten.schema, forgotten.identifier) is not none -%}
        {%- do upstream.delete_matching_rows(
            relation,
            upstream.stable_key("id_type || ':' || id_value")
            ~ ' in (select forgotten.node_key from ' ~ forgotten ~ ' as forgotten)'
        ) -%}
    {%- endif -%}
    select 1
{%- endmacro %}

{#- True when the relation exists and has the column (an incremental model stored before the
    column was added is then rebuilt whole rather than read for it). -#}
{% macro relation_has_column(relation, column_name) -%}
    {%- if not execute -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {{- return(column_name | lower in columns) -}}
{%- endmacro %}
