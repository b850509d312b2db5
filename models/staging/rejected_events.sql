{#
    Quarantine: every raw row staging could not use, with the reason and the raw row as JSON,
    so nothing is lost silently and the build stays green. Exact repeats of a row collapse into
    one row with `copy_count`.
#}
{{ config(materialized='table') }}

with

{% for table_name in upstream.segment_tables() %}
{{ table_name }}_rejects as (
    select
        '{{ table_name }}' as source_table,
        message_id,
        rejection_reason as reason,
        raw_row_json as raw_row,
        received_at
    from {{ ref('base_segment__' ~ table_name) }}
    where rejection_reason is not null
),

{% endfor %}
unioned as (
    {% for table_name in upstream.segment_tables() %}
    select * from {{ table_name }}_rejects
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

collapsed as (
    select
        {{ dbt.hash("source_table || '|' || coalesce(raw_row, '')") }} as rejected_event_id,
        source_table,
        message_id,
        reason,
        raw_row,
        min(received_at) as received_at,
        count(*) as copy_count
    from unioned
    group by 1, 2, 3, 4, 5
)

select * from collapsed
