{#-
    Append-only records the `activation` materialization writes every time it builds a sync model
    (created by the on-run-start hook, like the segment history):
        activation_filter_log   per model and run: candidates kept, and blocked per reason;
        activation_field_audit  per model and run: every column staged to leave for the
                                destination, whether it is PII and whether it is hashed.
-#}
{% macro activation_filter_log() -%}
    {{- return(api.Relation.create(database=upstream.target_database(), schema=target.schema, identifier='activation_filter_log', type='table')) -}}
{%- endmacro %}

{% macro activation_field_audit() -%}
    {{- return(api.Relation.create(database=upstream.target_database(), schema=target.schema, identifier='activation_field_audit', type='table')) -}}
{%- endmacro %}

{% macro activation_state_ddl() -%}
    {%- set text = dbt.type_string() -%}
    {%- set ts = dbt.type_timestamp() -%}
    {{- return([
        upstream.state_table_ddl(upstream.activation_filter_log(), [
            ('model_name', text), ('destination', text), ('outcome', text),
            ('profiles', dbt.type_bigint()), ('evaluated_at', ts), ('invocation_id', text),
            ('recorded_at', ts),
        ]),
        upstream.state_table_ddl(upstream.activation_field_audit(), [
            ('model_name', text), ('destination', text), ('column_name', text),
            ('is_pii', dbt.type_boolean()), ('is_hashed', dbt.type_boolean()), ('evaluated_at', ts),
            ('invocation_id', text), ('recorded_at', ts),
        ]),
    ]) -}}
{%- endmacro %}
