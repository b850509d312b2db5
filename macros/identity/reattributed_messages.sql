{#-
    The messages whose profile a run must decide again, as a query of message_id: those with
    identifier mentions stored since `watermark` (a scalar query of the caller's latest loaded_at)
    and those mentioning an identifier whose profile changed with this build's id_graph
    (int_identity_reassignments). Shared by int_messages_attributed and the models that carry
    its profile forward, so they recompute the same set. Callers call it inside an
    is_incremental() block, so they declare `-- depends_on:` both int_identity_reassignments and
    int_identifier_mentions.
-#}
{% macro reattributed_messages(watermark) -%}
    select mentions.message_id
    from {{ ref('int_identifier_mentions') }} as mentions
    where mentions.loaded_at > ({{ watermark }})
    union
    select mentions.message_id
    from {{ ref('int_identifier_mentions') }} as mentions
    inner join {{ ref('int_identity_reassignments') }} as reassigned
        on mentions.id_type = reassigned.id_type
        and mentions.id_value = reassigned.id_value
{%- endmacro %}

{#-
    reattributed_messages, read when the model runs and written into its SQL as constants when
    there are at most `limit` of them (var upstream__listed_scope_limit), as the query otherwise.
    A model that joins every staged table to the messages it decides again needs the planner to
    know the set is small: as a query, DuckDB takes it for millions of rows and hashes the staged
    tables instead, 15 s of a new-data run at 1M profiles for int_consent_statements with no
    message to decide. dbt compiles a model right before running it, after the models
    it depends on, so the constants are what the query would have read.
-#}
{% macro listed_reattributed_messages(watermark) -%}
    {%- set query = upstream.reattributed_messages(watermark) -%}
    {%- set limit = var('upstream__listed_scope_limit') | int -%}
    {%- if not execute -%}
        {{- return(query) -}}
    {%- endif -%}
    {%- set found = run_query(
        'select distinct scope.message_id from (' ~ query ~ ') as scope'
        ~ ' where scope.message_id is not null limit ' ~ (limit + 1)
    ).columns[0].values() -%}
    {%- if found | length > limit -%}
        {{- return(query) -}}
    {%- elif not found -%}
        {{- return('select cast(null as ' ~ dbt.type_string() ~ ') as message_id where 1 = 0') -}}
    {%- endif -%}
    {%- set rows = [] -%}
    {%- for message_id in found | sort -%}
        {%- do rows.append('(' ~ upstream.string_literal(message_id) ~ ')') -%}
    {%- endfor -%}
    {{- return('select listed.message_id from (values ' ~ rows | join(', ') ~ ') as listed (message_id)') -}}
{%- endmacro %}
