{#
    privacy_requests conformed and classified: rejection_reason is NULL for a usable request;
    copy_number 1 is the copy kept when a request id arrives twice.
#}

with

conformed as (
    {{ upstream.conformed_source('governance', 'privacy_requests') }}
),

cleaned as (
    select
        {{ upstream.nullif_junk('request_id') }} as request_id,
        lower({{ upstream.trim_whitespace('id_type') }}) as id_type,
        {{ upstream.normalize_identifier('id_type', 'id_value') }} as id_value,
        lower({{ upstream.trim_whitespace('request_type') }}) as request_type,
        {{ upstream.nullif_junk('requested_at') }} as requested_at_text,
        {{ upstream.try_parse_timestamp_utc('requested_at') }} as requested_at,
        raw_row_json
    from conformed
),

classified as (
    select
        *,
        case
            when request_id is null then 'missing_request_id'
            when id_type is null or id_value is null then 'missing_identifier'
            when not {{ upstream.is_in_text_list('id_type', upstream.identity_types().keys() | list) }}
                then 'unknown_id_type'
            when request_type not in ('suppress', 'unsuppress', 'delete') or request_type is null
                then 'unknown_request_type'
            when requested_at_text is null then 'missing_timestamp'
            when requested_at is null then 'unparseable_timestamp'
            -- A request dated in the future would outrank every later one for ever.
            when requested_at > {{ upstream.latest_valid_arrival() }} then 'timestamp_in_future'
        end as rejection_reason
    from cleaned
),

numbered as (
    select
        *,
        row_number() over (
            partition by request_id, rejection_reason is null
            order by requested_at asc nulls last, raw_row_json asc
        ) as copy_number
    from classified
)

select * from numbered
