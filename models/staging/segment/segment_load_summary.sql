{#
    What happened to every raw Segment row, per table: staged, dropped as an at-least-once
    duplicate, or quarantined. raw_rows = staged_rows + duplicate_rows_dropped + rejected_rows.
#}
{{ config(materialized='table') }}

with

{% for table_name in upstream.segment_tables() %}
{{ table_name }}_counts as (
    select
        '{{ table_name }}' as source_table,
        count(*) as raw_rows,
        count(case when rejection_reason is null and copy_number = 1 then 1 end) as staged_rows,
        count(case when rejection_reason is null and copy_number > 1 then 1 end) as duplicate_rows_dropped,
        count(case when rejection_reason is not null then 1 end) as rejected_rows
    from {{ ref('base_segment__' ~ table_name) }}
),

{% endfor %}
unioned as (
    {% for table_name in upstream.segment_tables() %}
    select * from {{ table_name }}_counts
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from unioned
