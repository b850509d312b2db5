{#-
    The documented erasure step after deletion requests have been applied by a build:
        dbt run-operation purge_forgotten_raw_rows
    Deletes every raw Segment row that mentions a forgotten identifier in any identifier column
    it has (anonymous_id, user_id, context_device_id, email, phone, context_traits_email,
    context_traits_phone), matched by its normalized value so any formatting matches, whether or
    not the row has a message id; its normalized copy in base_segment__<table>; the consent_records
    rows about one; the consent statements naming one as their contact; every identifier mention
    of a message that mentioned one (its other identifiers would otherwise attach the message to
    someone else), that message's attribution, and the validated identifiers no other message
    mentions (an email kept out of the graph that only the deleted person used). Blanks id_value of every privacy request about a
    forgotten identifier, the delete itself and any earlier suppress (the request id and the
    hashes in privacy_forgotten_identifiers remain as the record of the erasure).
    Prints what it removed per table. Run a build afterwards; nothing is left to rebuild from.
-#}
{% macro purge_forgotten_raw_rows() %}
    {%- set forgotten = ref('privacy_forgotten_identifiers') -%}
    {%- set known = "(select forgotten.node_key from " ~ forgotten ~ " as forgotten)" -%}
    {%- set changes = [] -%}
    {%- set mentions = ref('int_identifier_mentions') -%}
    {%- set mention_key = upstream.stable_key("mentioned.id_type || ':' || mentioned.id_value") -%}
    {%- set tainted_messages = '(select mentioned.message_id from ' ~ mentions ~ ' as mentioned where '
        ~ mention_key ~ ' in ' ~ known ~ ')' -%}
    {#- Before the mentions go: the messages they name are found through them. -#}
    {%- do changes.append({
        'table': 'int_messages_attributed',
        'relation': ref('int_messages_attributed'),
        'condition': 'message_id in ' ~ tainted_messages,
    }) -%}
    {#- An identifier only such messages mentioned (an email kept out of the graph, say, so no
        profile could name it) leaves with them. -#}
    {%- do changes.append({
        'table': 'int_identifiers_validated',
        'relation': ref('int_identifiers_validated'),
        'condition': "(id_type || ':' || id_value) in (select (mentioned.id_type || ':' || mentioned.id_value) from "
            ~ mentions ~ ' as mentioned where mentioned.message_id in ' ~ tainted_messages ~ ')'
            ~ " and (id_type || ':' || id_value) not in (select (kept.id_type || ':' || kept.id_value) from "
            ~ mentions ~ ' as kept where kept.message_id not in ' ~ tainted_messages ~ ')',
    }) -%}
    {%- do changes.append({
        'table': 'int_identifier_mentions',
        'relation': mentions,
        'condition': 'message_id in ' ~ tainted_messages,
    }) -%}
    {%- for table_name in upstream.segment_tables() -%}
        {%- set base = ref('base_segment__' ~ table_name) -%}
        {%- set base_conditions = [] -%}
        {%- for id_type in ['anonymous_id', 'user_id', 'device_id', 'email', 'phone'] -%}
            {%- do base_conditions.append(upstream.stable_key("'" ~ id_type ~ ":' || " ~ id_type) ~ ' in ' ~ known) -%}
        {%- endfor -%}
        {%- do changes.append({
            'table': table_name,
            'relation': source('segment', table_name),
            'condition': upstream.raw_identifier_condition(source('segment', table_name), known),
        }) -%}
        {#- The base table holds a normalized copy of the same rows until the next build. -#}
        {%- do changes.append({
            'table': 'base_segment__' ~ table_name,
            'relation': base,
            'condition': base_conditions | join(' or '),
            'tables_only': true,
        }) -%}
    {%- endfor -%}
    {#- Every other table of the raw schema with an identifier column: what the collector loads
        beyond what staging reads (groups, aliases, events no model reads). -#}
    {%- set read_by_staging = upstream.segment_tables() + ['consent_records', 'privacy_requests'] -%}
    {%- for relation in upstream.raw_schema_tables() if relation.identifier | lower not in read_by_staging -%}
        {%- do changes.append({
            'table': relation.identifier,
            'relation': relation,
            'condition': upstream.raw_identifier_condition(relation, known),
            'tables_only': true,
        }) -%}
    {%- endfor -%}
    {%- do changes.append({
        'table': 'consent_records',
        'relation': source('governance', 'consent_records'),
        'condition': upstream.stable_key("lower(" ~ upstream.trim_whitespace("id_type") ~ ") || ':' || " ~ upstream.normalize_identifier('id_type', 'id_value'))
            ~ ' in ' ~ known,
    }) -%}
    {%- do changes.append({
        'table': 'privacy_requests (id_value blanked)',
        'relation': source('governance', 'privacy_requests'),
        'condition': "(request_id in (select forgotten.request_id from " ~ forgotten ~ " as forgotten) or "
            ~ upstream.stable_key("lower(" ~ upstream.trim_whitespace("id_type") ~ ") || ':' || "
                ~ upstream.normalize_identifier('id_type', 'id_value')) ~ ' in ' ~ known
            ~ ") and id_value <> '[erased]'",
        'assignments': {'id_value': "'[erased]'"},
    }) -%}
    {#- Incremental, so a statement that names a forgotten contact under another profile stays
        until deleted here. -#}
    {%- do changes.append({
        'table': 'int_consent_statements',
        'relation': ref('int_consent_statements'),
        'condition': upstream.stable_key("'email:' || email") ~ ' in ' ~ known
            ~ ' or ' ~ upstream.stable_key("'phone:' || phone") ~ ' in ' ~ known,
    }) -%}
    {%- for change in changes -%}
        {%- set relation = change.relation -%}
        {%- set existing = adapter.get_relation(relation.database, relation.schema, relation.identifier) -%}
        {%- if existing is none or (change.tables_only is defined and not existing.is_table) -%}
            {{ log('purge_forgotten_raw_rows: ' ~ change.table ~ ': no table, nothing to purge', info=true) }}
        {%- else -%}
            {%- if change.assignments is defined -%}
                {%- set matched = run_query('select count(*) from ' ~ relation ~ ' where ' ~ change.condition).rows[0][0] -%}
                {%- do upstream.run_statements(upstream.update_rows_sql(relation, change.assignments, change.condition)) -%}
            {%- else -%}
                {%- set matched = upstream.delete_matching_rows(relation, change.condition) -%}
            {%- endif -%}
            {{ log('purge_forgotten_raw_rows: ' ~ change.table ~ ': ' ~ matched ~ ' rows', info=true) }}
        {%- endif -%}
    {%- endfor -%}
    {% do adapter.commit() %}
{% endmacro %}

{#- A condition true for a raw Segment row any of whose identifier columns holds a forgotten
    identifier (`known`: a subquery of node keys), each column normalized as staging normalizes
    it. Only the columns the raw table has are named; a missing table matches nothing. In `users`
    the user id is `id`; an alias's `previous_id` is an anonymous id or a user id. -#}
{% macro raw_identifier_condition(relation, known) -%}
    {%- set present = upstream.present_columns(relation) -%}
    {%- set typed = {
        'anonymous_id': ['anonymous_id'], 'user_id': ['user_id'], 'context_device_id': ['device_id'],
        'email': ['email'], 'context_traits_email': ['email'], 'phone': ['phone'],
        'context_traits_phone': ['phone'], 'previous_id': ['anonymous_id', 'user_id'],
    } -%}
    {%- if relation.identifier | lower == 'users' -%}
        {%- do typed.update({'id': ['user_id']}) -%}
    {%- endif -%}
    {%- set conditions = [] -%}
    {%- for column, id_types in typed.items() if column in present -%}
        {%- set cleaned = upstream.nullif_junk(column) -%}
        {%- for id_type in id_types -%}
            {%- set normalized = upstream.normalize_email(cleaned) if id_type == 'email'
                else upstream.normalize_phone(cleaned) if id_type == 'phone' else cleaned -%}
            {%- do conditions.append(upstream.stable_key("'" ~ id_type ~ ":' || " ~ normalized) ~ ' in ' ~ known) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{- conditions | join(' or ') if conditions else '1 = 0' -}}
{%- endmacro %}

{#- Every table in the raw schema, whoever created it. -#}
{% macro raw_schema_tables() -%}
    {%- set anchor = source('segment', 'identifies') -%}
    {%- set relations = [] -%}
    {%- if execute -%}
        {%- for name in adapter.dispatch('table_names_in_schema', 'upstream')(anchor.database, anchor.schema) -%}
            {%- do relations.append(api.Relation.create(database=anchor.database, schema=anchor.schema, identifier=name)) -%}
        {%- endfor -%}
    {%- endif -%}
    {{- return(relations) -}}
{%- endmacro %}

{% macro default__table_names_in_schema(database, schema) -%}
    {%- set found = run_query(
        "select table_name from information_schema.tables where table_schema = '" ~ schema
        ~ "' and table_type = 'BASE TABLE'"
    ) -%}
    {{- return(found.columns[0].values() | list) -}}
{%- endmacro %}

{% macro spark__table_names_in_schema(database, schema) -%}
    {%- set found = run_query('show tables in ' ~ schema) -%}
    {{- return(found.columns['tableName'].values() | list) -}}
{%- endmacro %}
