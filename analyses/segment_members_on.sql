{#
    Who was in a segment at a past instant, from its append-only history:
        dbt compile --select segment_members_on \
            --vars '{segment_name: cart_abandoned_24h, members_at: "2026-10-20 12:00:00"}'
    then run the compiled SQL (target/compiled/upstream/analyses/segment_members_on.sql).
    A member is a profile whose latest segment event at or before members_at is an entry.
#}
{%- set at = "cast('" ~ var('members_at', '2026-10-31 00:00:00') ~ "' as " ~ dbt.type_timestamp() ~ ")" -%}

{{ upstream.segment_members_from_log(
    segment_name=var('segment_name', 'cart_abandoned_24h'),
    at=at,
    log=source('segment_history', 'segment_event_log'),
) }}
