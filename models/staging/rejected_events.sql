{#
    Quarantine: every raw row staging could not use (Segment tables, consent_records,
    privacy_requests), with the reason and the raw row as JSON,
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
consent_records_rejects as (
    select
        'consent_records' as source_table,
        record_id as message_id,
        rejection_reason as reason,
        raw_row_json as raw_row,
        recorded_at as received_at
    from {{ ref('base_governance__consent_records') }}
    where rejection_reason is not null
),

privacy_requests_rejects as (
    select
        'privacy_requests' as source_table,
        request_id as message_id,
        rejection_reason as reason,
        raw_row_json as raw_row,
        requested_at as received_at
    from {{ ref('base_governance__privacy_requests') }}
    where rejection_reason is not null
),

unioned as (
    {% for table_name in upstream.segment_tables() %}
    select * from {{ table_name }}_rejects
    union all
    {% endfor %}
    select * from consent_records_rejects
    union all
    select * from privacy_requests_rejects
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
