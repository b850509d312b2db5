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
        source_table,
        message_id,
        reason,
        raw_row,
        min(received_at) as received_at,
        count(*) as copy_count
    from unioned
    group by source_table, message_id, reason, raw_row
),

-- The id is built from engine-neutral parts: raw_row's JSON spelling differs between engines
-- (0.0 vs 0.00), so it only orders distinct rows that share a message id and reason.
numbered as (
    select
        *,
        row_number() over (
            partition by source_table, message_id, reason
            order by received_at, raw_row
        ) as variant
    from collapsed
)

select
    {{ dbt.hash(
        "source_table || '|' || coalesce(message_id, '') || '|' || reason || '|' || cast(variant as "
        ~ dbt.type_string() ~ ")"
    ) }} as rejected_event_id,
    source_table,
    message_id,
    reason,
    raw_row,
    received_at,
    copy_count
from numbered
