{#- `select count(*) from <raw table>`, or 0 when the table does not exist (sources may be
    missing, macro conformed_source). Counted from the raw table itself, not from what staging
    read, so raw = staged + duplicates + rejected checks that staging keeps up. -#}
{% macro raw_row_count(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- set existing = adapter.get_relation(
        database=relation.database, schema=relation.schema, identifier=relation.identifier
    ) if execute else relation -%}
    {%- if existing is none -%}
        select 0 as raw_rows
    {%- else -%}
        select count(*) as raw_rows from {{ existing }}
    {%- endif -%}
{%- endmacro %}
