{#-
    The documented erasure step after deletion requests have been applied by a build:
        dbt run-operation purge_forgotten_raw_rows
    Deletes every raw Segment row that mentions a forgotten identifier (by its normalized value,
    so any formatting matches) and its normalized copy in base_segment__<table>, the
    consent_records rows about one, the consent statements naming one as their contact, and the
    identifier mentions cached by int_identifier_mentions; blanks id_value of applied delete
    requests (the request id and the hashes in privacy_forgotten_identifiers remain as the record
    of the erasure).
    Prints what it removed per table. Run a build afterwards; nothing is left to rebuild from.
-#}
{% macro purge_forgotten_raw_rows() %}
    {%- set forgotten = ref('privacy_forgotten_identifiers') -%}
    {%- set known = "(select forgotten.node_key from " ~ forgotten ~ " as forgotten)" -%}
    {%- set changes = [] -%}
    {%- for table_name in upstream.segment_tables() -%}
        {%- set base = ref('base_segment__' ~ table_name) -%}
        {%- set conditions = [] -%}
        {%- set base_conditions = [] -%}
        {%- for id_type in ['anonymous_id', 'user_id', 'device_id', 'email', 'phone'] -%}
            {%- do conditions.append(upstream.stable_key("'" ~ id_type ~ ":' || base." ~ id_type) ~ ' in ' ~ known) -%}
            {%- do base_conditions.append(upstream.stable_key("'" ~ id_type ~ ":' || " ~ id_type) ~ ' in ' ~ known) -%}
        {%- endfor -%}
        {%- do changes.append({
            'table': table_name,
            'relation': source('segment', table_name),
            'condition': 'id in (select base.message_id from ' ~ base ~ ' as base where ' ~ conditions | join(' or ') ~ ')',
        }) -%}
        {#- The base table holds a normalized copy of the same rows until the next build. -#}
        {%- do changes.append({
            'table': 'base_segment__' ~ table_name,
            'relation': base,
            'condition': base_conditions | join(' or '),
            'tables_only': true,
        }) -%}
    {%- endfor -%}
    {%- do changes.append({
        'table': 'consent_records',
        'relation': source('governance', 'consent_records'),
        'condition': upstream.stable_key("lower(trim(id_type)) || ':' || " ~ upstream.normalize_identifier('id_type', 'id_value'))
            ~ ' in ' ~ known,
    }) -%}
    {%- do changes.append({
        'table': 'privacy_requests (id_value blanked)',
        'relation': source('governance', 'privacy_requests'),
        'condition': "request_id in (select forgotten.request_id from " ~ forgotten ~ " as forgotten)"
            ~ " and id_value <> '[erased]'",
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
    {%- do changes.append({
        'table': 'int_identifier_mentions',
        'relation': ref('int_identifier_mentions'),
        'condition': upstream.stable_key("id_type || ':' || id_value") ~ ' in ' ~ known,
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
