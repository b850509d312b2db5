{#-
    The shared first step of every Segment staging model: conform the raw table to its contract,
    normalize the identifiers, parse the timestamps, decide whether the row is usable
    (`rejection_reason`, NULL when it is) and number the copies of each message
    (`copy_number` 1 is the copy staging keeps).

    Incremental (dbt_project.yml): a run replaces every message that has a copy not stored yet
    (unique key `dedupe_key`). It reads only the raw rows of the window, those received since the
    latest stored row minus var upstream__lookback_days: a message has a copy not stored exactly
    when the window holds more raw copies of it than stored ones (raw tables only grow). The
    latest stored row is the latest that did not arrive in the future (macro
    latest_valid_arrival): such a row is quarantined as received_in_future and never becomes the
    mark. Rows whose received_at does not parse, and rows without a message id, are in every
    window: they cannot be placed in time, and there are few.

    The copies of such a message received before the window are taken as stored, not read from
    raw again: they were staged when they arrived, every copy in the window sorts after them, so
    their order among themselves is their stored copy_number. Reading them from raw meant
    comparing every raw row's trimmed id with the messages of the run, a scan of the whole table
    on every run, most of a small run's time.

    Arguments cover the one table that differs: `users` is keyed by user id, has no event
    timestamp, and keeps its latest copy because Segment upserts the newest traits into it. An
    upsert replaces the raw row, so the table does not only grow (append_only=false): a run
    there reads every raw copy of the messages it replaces, as a stored copy may be gone from raw.
-#}
{% macro segment_base(
    table_name,
    message_id_column='id',
    user_id_column='user_id',
    timestamp_column='timestamp',
    keep='earliest',
    append_only=true
) -%}
    {%- set contract_names = upstream.source_contract('segment', table_name) | map(attribute='name') | list -%}
    {%- set consumed = [
        'id', 'anonymous_id', 'user_id', 'timestamp', 'received_at', 'sent_at', 'context_device_id',
        'email', 'phone', 'context_traits_email', 'context_traits_phone', 'products',
    ] -%}
    {%- set email_columns = ['email', 'context_traits_email'] | select('in', contract_names) | list -%}
    {%- set phone_columns = ['phone', 'context_traits_phone'] | select('in', contract_names) | list -%}
    {%- set max_length = var('upstream__max_identifier_length') -%}
    {#- Text properties (not identifiers, not products) are capped too: a 1 MB event property or
        a 300 KB first name is a broken client, and would be copied into every model after. -#}
    {%- set text_columns = upstream.source_contract('segment', table_name)
        | selectattr('data_type', 'equalto', 'string') | map(attribute='name')
        | reject('in', consumed) | list -%}
    {%- set has_products = 'products' in contract_names -%}
    {%- set null_text = 'cast(null as ' ~ dbt.type_string() ~ ')' -%}
    {%- set null_timestamp = 'cast(null as ' ~ dbt.type_timestamp() ~ ')' -%}
    {#- The columns a row keeps from normalization to the output, in output order. -#}
    {%- set carried = [
        'message_id', 'anonymous_id', 'user_id', 'device_id', 'email', 'phone', 'timestamp_text',
        'occurred_at', 'received_at', 'sent_at', 'products_json',
    ] -%}
    {%- for column in contract_names if column not in consumed -%}
        {%- do carried.append(adapter.quote(column)) -%}
    {%- endfor -%}

    {%- set raw_filter = none -%}
    {%- set cutoff = none -%}
    {%- if is_incremental() -%}
        {%- set cutoff = upstream.lookback_cutoff(this) -%}
        {%- set received_type = upstream.present_columns(source('segment', table_name)).get('received_at') -%}
        {%- set in_window = 'coalesce(' ~ upstream.raw_instant_utc('raw_row.received_at', received_type) ~ ' >= '
            ~ cutoff ~ ', true)' -%}
        {%- if append_only -%}
            {%- set raw_filter = in_window -%}
        {%- else -%}
            {#- Every raw copy of the messages with a copy in the window not stored yet, and every raw
                row without a usable id: nullif_junk(id) is null or nullif_junk(id) in (unstored),
                written so each row's id is trimmed once and compared by a semi join. -#}
            {%- set unstored = 'select message_id from (select '
                ~ upstream.nullif_junk('raw_row.' ~ adapter.quote(message_id_column)) ~ ' as message_id, 1 as copies from '
                ~ source('segment', table_name) ~ ' as raw_row where ' ~ in_window
                ~ ' union all select message_id, -1 as copies from ' ~ this
                ~ ' where message_id is not null and coalesce(received_at >= ' ~ cutoff ~ ', true)'
                ~ ') as window_copies group by message_id having sum(copies) <> 0' -%}
            {%- set raw_id = 'raw_row.' ~ adapter.quote(message_id_column) -%}
            {%- set raw_filter = raw_id ~ ' is null or ' ~ upstream.is_junk_placeholder(raw_id) ~ ' or '
                ~ upstream.trim_whitespace('cast(' ~ raw_id ~ ' as ' ~ dbt.type_string() ~ ')') ~ ' in (' ~ unstored ~ ')' -%}
        {%- endif -%}
    {%- endif %}

with

conformed as (
    {{ upstream.conformed_source('segment', table_name, where=raw_filter) | indent(4) }}
),

cleaned as (
    select
        {{ upstream.nullif_junk(adapter.quote(message_id_column)) }} as message_id,
        {{ upstream.nullif_junk('anonymous_id') if 'anonymous_id' in contract_names else null_text }} as anonymous_id,
        {{ upstream.nullif_junk(adapter.quote(user_id_column)) }} as user_id,
        {{ upstream.nullif_junk('context_device_id') if 'context_device_id' in contract_names else null_text }}
            as device_id,
        coalesce(
            {%- for column in email_columns %}{{ upstream.nullif_junk(column) }}, {% endfor -%}
            {{ null_text }}
        ) as email_text,
        coalesce(
            {%- for column in phone_columns %}{{ upstream.nullif_junk(column) }}, {% endfor -%}
            {{ null_text }}
        ) as phone_text,
        {{ upstream.nullif_junk(adapter.quote(timestamp_column)) }} as timestamp_text,
        {{ upstream.try_parse_timestamp_utc(adapter.quote(timestamp_column)) }} as occurred_at,
        {{ upstream.try_parse_timestamp_utc('received_at') }} as received_at,
        {{ upstream.try_parse_timestamp_utc('sent_at') if 'sent_at' in contract_names else null_timestamp }}
            as sent_at,
        {{ upstream.nullif_junk('products') if has_products else null_text }} as products_json,
        {%- for column in contract_names if column not in consumed %}
        {{ adapter.quote(column) }},
        {%- endfor %}
        raw_row_json,
        raw_row_order_key
    from conformed
),

normalized as (
    select
        message_id,
        anonymous_id,
        user_id,
        device_id,
        {{ upstream.normalize_email('email_text') }} as email,
        {{ upstream.normalize_phone('phone_text') }} as phone,
        timestamp_text,
        occurred_at,
        received_at,
        sent_at,
        products_json,
        {%- for column in contract_names if column not in consumed %}
        {{ adapter.quote(column) }},
        {%- endfor %}
        raw_row_json,
        raw_row_order_key
    from cleaned
),

classified as (
    select
        *,
        case
            when message_id is null then 'missing_message_id'
            when received_at > {{ upstream.latest_valid_arrival() }} then 'received_in_future'
            when length(message_id) > {{ max_length }}
                or length(anonymous_id) > {{ max_length }}
                or length(user_id) > {{ max_length }}
                or length(device_id) > {{ max_length }}
                or length(email) > {{ max_length }}
                or length(phone) > {{ max_length }}
                or length(products_json) > {{ var('upstream__max_json_length') }}
                then 'value_too_long'
            {%- if text_columns %}
            when {% for column in text_columns -%}
                length(cast({{ adapter.quote(column) }} as {{ dbt.type_string() }})) > {{ var('upstream__max_text_length') }}
                {%- if not loop.last %}
                or {% endif -%}
                {%- endfor %}
                then 'text_too_long'
            {%- endif %}
            when anonymous_id is null
                and user_id is null
                and device_id is null
                and email is null
                and phone is null
                then 'no_identifier'
            when timestamp_text is null then 'missing_timestamp'
            when occurred_at is null then 'unparseable_timestamp'
            when occurred_at < cast('{{ var("upstream__earliest_valid_timestamp") }}' as {{ dbt.type_timestamp() }})
                or occurred_at > {{ dbt.dateadd(
                    'hour',
                    var('upstream__max_future_skew_hours'),
                    'coalesce(received_at, ' ~ upstream.as_of_timestamp() ~ ')'
                ) }}
                then 'timestamp_out_of_range'
            when products_json is not null and not {{ upstream.is_valid_json('products_json') }}
                then 'malformed_products_json'
            {#- Valid JSON, but not the array of products the spec defines: staged, it would read as
                an order without items. -#}
            when products_json is not null and {{ upstream.json_array_length('products_json') }} is null
                then 'unexpected_json_shape'
        end as rejection_reason
    from normalized
),

-- The raw row's JSON is only kept for the quarantine. Dropping it before the copy numbering
-- keeps it out of the window's sort, which otherwise carries every row's JSON.
quarantine_json as (
    select
        {%- for column in carried %}
        {{ column }},
        {%- endfor %}
        case when rejection_reason is not null then raw_row_json end as raw_row_json,
        raw_row_order_key,
        rejection_reason
    from classified
),

{% if is_incremental() and append_only %}
window_copies as (
    select
        message_id,
        1 as copies
    from quarantine_json
    where message_id is not null
    union all
    select
        message_id,
        -1 as copies
    from {{ this }}
    where message_id is not null and coalesce(received_at >= {{ cutoff }}, true)
),

unstored as (
    select message_id
    from window_copies
    group by message_id
    having sum(copies) <> 0
),

{%- set stored_copies -%}
    select
        {%- for column in carried %}
        stored.{{ column }},
        {%- endfor %}
        stored.raw_row_json,
        cast(null as {{ dbt.type_string() }}) as raw_row_order_key,
        stored.rejection_reason,
        stored.copy_number as stored_copy_number
    from {{ this }} as stored
{%- endset %}

-- The window's copies of the messages replaced, and their copies stored before the window.
batch as (
    select
        *,
        cast(null as {{ dbt.type_int() }}) as stored_copy_number
    from quarantine_json
    where message_id is null or message_id in (select unstored.message_id from unstored)
    union all
    {{ stored_copies }}
    {#- A join, not `in (...)`: the engine then learns the few ids before it reads the table and
        skips the blocks that cannot hold them. #}
    inner join unstored on stored.message_id = unstored.message_id
    where stored.received_at < {{ cutoff }}
    union all
    {{ stored_copies }}
    where stored.message_id is null and stored.received_at < {{ cutoff }}
),
{% else %}
batch as (
    select
        *,
        cast(null as {{ dbt.type_int() }}) as stored_copy_number
    from quarantine_json
),
{% endif %}

-- A stored copy sorts before every copy of the window (received earlier), so the order of two
-- rows only ever rests on stored_copy_number between two stored copies.
numbered as (
    select
        *,
        row_number() over (
            partition by message_id, rejection_reason is null
            order by
                received_at {{ 'asc' if keep == 'earliest' else 'desc' }} nulls last,
                occurred_at asc nulls last,
                raw_row_order_key asc,
                stored_copy_number asc
        ) as copy_number
    from batch
)

select
    {%- for column in carried %}
    {{ column }},
    {%- endfor %}
    raw_row_json,
    rejection_reason,
    copy_number,
    -- The incremental key: every copy of a message is replaced together; rows without a message
    -- id share one key, so they are replaced together too.
    coalesce(message_id, '(no message id)') as dedupe_key
from numbered
{%- endmacro %}
