{#
    consent_records conformed and classified: rejection_reason is NULL for a usable statement.
    Rejected rows go to rejected_events with the reason; they never count as consent.
#}

with

conformed as (
    {{ upstream.conformed_source('governance', 'consent_records') }}
),

cleaned as (
    select
        {{ upstream.nullif_junk('record_id') }} as record_id,
        lower({{ upstream.trim_whitespace('id_type') }}) as id_type,
        {{ upstream.normalize_identifier('id_type', 'id_value') }} as id_value,
        lower({{ upstream.trim_whitespace('category') }}) as category,
        {{ upstream.parse_consent_flag('granted') }} as is_granted,
        {{ upstream.nullif_junk('granted') }} as granted_text,
        {{ upstream.nullif_junk('recorded_at') }} as recorded_at_text,
        {{ upstream.try_parse_timestamp_utc('recorded_at') }} as recorded_at,
        raw_row_json
    from conformed
),

classified as (
    select
        *,
        case
            when id_type is null or id_value is null then 'missing_identifier'
            when not {{ upstream.is_in_text_list('id_type', upstream.identity_types().keys() | list) }}
                then 'unknown_id_type'
            when not {{ upstream.is_in_text_list('category', var('upstream__consent_categories')) }}
                or category is null
                then 'unknown_consent_category'
            when is_granted is null then 'unparseable_consent_flag'
            when recorded_at_text is null then 'missing_timestamp'
            when recorded_at is null then 'unparseable_timestamp'
            -- A statement dated in the future would stay the latest, whatever the person says next.
            when recorded_at > {{ upstream.latest_valid_arrival() }} then 'timestamp_in_future'
        end as rejection_reason
    from cleaned
)

select * from classified
