{#-
    Segment history lives in two append-only tables in the target schema, written only by the
    `segment` materialization and read by the views segment_events, segment_membership and
    segment_insights:
        segment_event_log  one row per entry into / exit from a segment
        segment_run_log    one row per segment per run: evaluated, frozen or skipped, with counts
    They are created by the on-run-start hook (prepare_warehouse), so the views over them can
    be built in any order, before or after the segments themselves.
-#}
{% macro segment_event_log() -%}
    {{- return(api.Relation.create(database=upstream.target_database(), schema=target.schema, identifier='segment_event_log', type='table')) -}}
{%- endmacro %}

{% macro segment_run_log() -%}
    {{- return(api.Relation.create(database=upstream.target_database(), schema=target.schema, identifier='segment_run_log', type='table')) -}}
{%- endmacro %}

{% macro segment_state_ddl() -%}
    {%- set text = dbt.type_string() -%}
    {%- set ts = dbt.type_timestamp() -%}
    {%- set count = dbt.type_bigint() -%}
    {{- return([
        upstream.state_table_ddl(upstream.segment_event_log(), [
            ('segment_name', text), ('profile_id', text), ('event_type', text), ('occurred_at', ts),
            ('is_holdout', dbt.type_boolean()), ('split_name', text), ('invocation_id', text),
            ('recorded_at', ts),
        ]),
        upstream.state_table_ddl(upstream.segment_run_log(), [
            ('segment_name', text), ('refresh', text), ('outcome', text), ('evaluated_at', ts),
            ('members', count), ('entered', count), ('exited', count), ('holdout_members', count),
            ('invocation_id', text), ('recorded_at', ts),
        ]),
    ]) -}}
{%- endmacro %}

{#-
    Members of one segment according to its history, as of `at` (a SQL timestamp expression,
    default: everything recorded): the profiles whose latest event is an entry. This is the
    "who was in X on date D" query; segment_membership is it without a date. `log` defaults to
    segment_event_log (models pass the source() of it, for lineage).
-#}
{% macro segment_members_from_log(segment_name=none, at=none, log=none) -%}
    select
        segment_name,
        profile_id,
        occurred_at as entered_at,
        is_holdout,
        split_name
    from (
        select
            *,
            row_number() over (
                partition by segment_name, profile_id order by occurred_at desc, recorded_at desc
            ) as recency_rank
        from {{ log or upstream.segment_event_log() }}
        where 1 = 1
        {%- if segment_name is not none %}
            and segment_name = '{{ segment_name }}'
        {%- endif %}
        {%- if at is not none %}
            and occurred_at <= {{ at }}
        {%- endif %}
    ) as history
    where recency_rank = 1 and event_type = 'entered'
{%- endmacro %}
