{#
    What happened to every raw Segment row, per table: staged, dropped as an at-least-once
    duplicate, or quarantined. raw_rows is counted from the raw table itself, so the check
    raw_rows = staged_rows + duplicate_rows_dropped + rejected_rows (a singular test) fails when
    staging stops reading rows that arrived. (On an engine where loaders write during a build,
    rows landed mid-build can show as a difference until the next build.)
#}
{{ config(materialized='table') }}

with

{% for table_name in upstream.segment_tables() %}
{{ table_name }}_raw as (
    {{ upstream.raw_row_count('segment', table_name) }}
),

{{ table_name }}_counts as (
    select
        '{{ table_name }}' as source_table,
        raw_table.raw_rows,
        count(case when base.rejection_reason is null and base.copy_number = 1 then 1 end) as staged_rows,
        count(case when base.rejection_reason is null and base.copy_number > 1 then 1 end)
            as duplicate_rows_dropped,
        count(base.rejection_reason) as rejected_rows
    from {{ table_name }}_raw as raw_table
    left join {{ ref('base_segment__' ~ table_name) }} as base on 1 = 1
    group by raw_table.raw_rows
),

{% endfor %}
unioned as (
    {% for table_name in upstream.segment_tables() %}
    select * from {{ table_name }}_counts
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from unioned
