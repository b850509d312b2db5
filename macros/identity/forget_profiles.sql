{#-
    Deletes, from an append-only model, every row about a profile forgotten by a deletion
    request (privacy_forgotten_identifiers). Used as a post-hook by the models that keep history
    (profile_changes, profile_merges, cart_abandonment_decisions) and by the segment
    materialization, so a deleted person's rows go in the build that applies the request.
    It runs the deletes itself (one engine-specific statement list per column, only when some row
    matches) and renders as a no-op query, so it can stand where a hook's SQL goes.
-#}
{% macro forget_profiles(relation, columns=['profile_id']) -%}
    {%- set forgotten = api.Relation.create(
        database=upstream.target_database(), schema=target.schema, identifier='privacy_forgotten_identifiers'
    ) -%}
    {%- if execute and adapter.get_relation(forgotten.database, forgotten.schema, forgotten.identifier) is not none -%}
        {%- for column in columns -%}
            {%- do upstream.delete_matching_rows(
                relation,
                column ~ ' in (select forgotten.profile_id from ' ~ forgotten ~ ' as forgotten'
                ~ ' where forgotten.profile_id is not null)'
            ) -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}
