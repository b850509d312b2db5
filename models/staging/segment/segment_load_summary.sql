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
        {{ dbt.safe_cast("sum(case when rejection_reason is null and copy_number = 1 then 1 else 0 end)", dbt.type_bigint()) }}
            as staged_rows,
        {{ dbt.safe_cast("sum(case when rejection_reason is null and copy_number > 1 then 1 else 0 end)", dbt.type_bigint()) }}
            as duplicate_rows_dropped,
        {{ dbt.safe_cast("sum(case when rejection_reason is not null then 1 else 0 end)", dbt.type_bigint()) }}
            as rejected_rows
    from {{ ref('base_segment__' ~ table_name) }}
),

{% endfor %}
unioned as (
    {% for table_name in upstream.segment_tables() %}
    select * from {{ table_name }}_counts
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

completed as (
    select
        source_table,
        raw_rows,
        coalesce(staged_rows, 0) as staged_rows,
        coalesce(duplicate_rows_dropped, 0) as duplicate_rows_dropped,
        coalesce(rejected_rows, 0) as rejected_rows
    from unioned
)

select * from completed
