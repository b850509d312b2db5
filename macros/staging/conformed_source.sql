{#-
    Select a source table with exactly the columns its YAML contract lists, in contract order.
    Real Segment schemas only hold the tables and columns that ever received a value, so:
    - a missing table reads as an empty relation with every contract column;
    - a missing column reads as a typed NULL.
    `where` (optional) filters the raw rows; it may name them `raw_row`.
    Columns the contract does not list are not carried, except inside `raw_row_json`, the whole
    raw row as JSON text for the quarantine table, and `raw_row_order_key`, which orders
    distinct copies of one message (macro row_order_key).
-#}
{% macro conformed_source(source_name, table_name, where=none) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- set contract = upstream.source_contract(source_name, table_name) -%}
    {%- if not execute -%}
        select * from {{ relation }}
    {%- else -%}
        {%- set existing = adapter.get_relation(
            database=relation.database, schema=relation.schema, identifier=relation.identifier
        ) -%}
        {%- set present = upstream.present_columns(relation) -%}
        select
            {%- for column in contract %}
            {% if column.name in present -%}
                raw_row.{{ adapter.quote(column.name) }} as {{ adapter.quote(column.name) }},
            {%- else -%}
                cast(null as {{ upstream.contract_type(column.data_type) }}) as {{ adapter.quote(column.name) }},
            {%- endif -%}
            {%- endfor %}
            {% if existing is none -%}
            cast(null as {{ dbt.type_string() }}) as raw_row_json,
            cast(null as {{ dbt.type_string() }}) as raw_row_order_key
        {%- else -%}
            {{ upstream.row_to_json('raw_row') }} as raw_row_json,
            {{ upstream.row_order_key('raw_row') }} as raw_row_order_key
        from {{ existing }} as raw_row
        {%- if where %}
        where {{ where }}
        {%- endif %}
        {%- endif %}
        {%- if existing is none %}
        where 1 = 0
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- The contract's columns (name, data_type) for one source table, read from its YAML. -#}
{% macro source_contract(source_name, table_name) -%}
    {%- set node_id = 'source.' ~ project_name ~ '.' ~ source_name ~ '.' ~ table_name -%}
    {%- if not execute -%}
        {{- return([]) -}}
    {%- endif -%}
    {%- set node = graph.sources.get(node_id) -%}
    {%- if node is none -%}
        {{- exceptions.raise_compiler_error('No source contract for ' ~ source_name ~ '.' ~ table_name) -}}
    {%- endif -%}
    {%- set columns = [] -%}
    {%- for column in node.columns.values() -%}
        {%- do columns.append({'name': column.name | lower, 'data_type': column.data_type or 'string'}) -%}
    {%- endfor -%}
    {{- return(columns) -}}
{%- endmacro %}

{#- Contract type words mapped to this engine's types, via dbt's cross-database type macros. -#}
{% macro contract_type(data_type) -%}
    {%- set types = {
        'string': dbt.type_string(),
        'timestamp': dbt.type_timestamp(),
        'numeric': dbt.type_numeric(),
        'integer': dbt.type_int(),
        'boolean': dbt.type_boolean(),
    } -%}
    {%- if data_type not in types -%}
        {{- exceptions.raise_compiler_error('Unknown contract data_type ' ~ data_type) -}}
    {%- endif -%}
    {{- types[data_type] -}}
{%- endmacro %}

{#- The columns a relation has in the warehouse, lower-cased name to lower-cased type (test a name
    with `in`); empty when it does not exist. -#}
{% macro present_columns(relation) -%}
    {%- set existing = adapter.get_relation(
        database=relation.database, schema=relation.schema, identifier=relation.identifier
    ) -%}
    {%- set present = {} -%}
    {%- if existing is not none -%}
        {%- for column in adapter.get_columns_in_relation(existing) -%}
            {%- do present.update({column.name | lower: column.dtype | lower}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{- return(present) -}}
{%- endmacro %}
