{#-
    The documented erasure step after deletion requests have been applied by a build:
        dbt run-operation purge_forgotten_raw_rows
    Deletes every raw Segment row that mentions a forgotten identifier (by its normalized value,
    so any formatting matches), the consent_records rows about one, and the identifier mentions
    cached by int_identifier_mentions; blanks id_value of applied delete requests (the request id
    and the hashes in privacy_forgotten_identifiers remain as the record of the erasure).
    Prints what it removed per table. Run a build afterwards; nothing is left to rebuild from.
-#}
{% macro purge_forgotten_raw_rows() %}
    {%- set forgotten = ref('privacy_forgotten_identifiers') -%}
    {%- set known = "(select forgotten.node_key from " ~ forgotten ~ " as forgotten)" -%}
    {%- set statements = [] -%}
    {%- for table_name in upstream.segment_tables() -%}
        {%- set base = ref('base_segment__' ~ table_name) -%}
        {%- set conditions = [] -%}
        {%- for id_type in ['anonymous_id', 'user_id', 'device_id', 'email', 'phone'] -%}
            {%- do conditions.append(upstream.stable_key("'" ~ id_type ~ ":' || base." ~ id_type) ~ ' in ' ~ known) -%}
        {%- endfor -%}
        {%- do statements.append({
            'table': table_name,
            'relation': source('segment', table_name),
            'sql': 'delete from ' ~ source('segment', table_name) ~ ' where id in (select base.message_id from ' ~ base ~ ' as base where ' ~ conditions | join(' or ') ~ ')',
        }) -%}
    {%- endfor -%}
    {%- do statements.append({
        'table': 'consent_records',
        'relation': source('governance', 'consent_records'),
        'sql': 'delete from ' ~ source('governance', 'consent_records') ~ ' where '
            ~ upstream.stable_key("lower(trim(id_type)) || ':' || " ~ upstream.normalize_identifier('id_type', 'id_value'))
            ~ ' in ' ~ known,
    }) -%}
    {%- do statements.append({
        'table': 'privacy_requests (id_value blanked)',
        'relation': source('governance', 'privacy_requests'),
        'sql': "update " ~ source('governance', 'privacy_requests') ~ " set id_value = '[erased]' where request_id in "
            ~ "(select forgotten.request_id from " ~ forgotten ~ " as forgotten) and id_value <> '[erased]'",
    }) -%}
    {%- do statements.append({
        'table': 'int_identifier_mentions',
        'relation': ref('int_identifier_mentions'),
        'sql': 'delete from ' ~ ref('int_identifier_mentions') ~ ' where '
            ~ upstream.stable_key("id_type || ':' || id_value") ~ ' in ' ~ known,
    }) -%}
    {%- for statement in statements -%}
        {%- set relation = statement.relation -%}
        {%- if adapter.get_relation(relation.database, relation.schema, relation.identifier) is none -%}
            {{ log('purge_forgotten_raw_rows: ' ~ statement.table ~ ': table absent, nothing to purge', info=true) }}
        {%- else -%}
            {%- set result = run_query(statement.sql) -%}
            {{ log('purge_forgotten_raw_rows: ' ~ statement.table ~ ': ' ~ (result.rows[0][0] if result.rows else 0) ~ ' rows', info=true) }}
        {%- endif -%}
    {%- endfor -%}
    {% do adapter.commit() %}
{% endmacro %}
