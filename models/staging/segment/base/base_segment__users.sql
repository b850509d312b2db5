{#
    `users` holds one upserted row per user id: the id is the user id, the row has no event
    timestamp, and the newest copy carries the current traits. Segment updates the row in place,
    so the raw table does not only grow (append_only=false).
#}
{{ upstream.segment_base(
    'users',
    message_id_column='id',
    user_id_column='id',
    timestamp_column='received_at',
    keep='latest',
    append_only=false
) }}
