with

base as (
    select * from {{ ref('base_segment__screens') }}
),

staged as (
    select
        message_id,
        anonymous_id,
        user_id,
        device_id,
        email,
        name as screen_name,
        context_device_type as device_type,
        context_ip as ip_address,
        occurred_at,
        received_at,
        sent_at
    from base
    {# Rejected rows live in rejected_events; later copies of a message are at-least-once repeats. #}
    where
        rejection_reason is null
        and copy_number = 1
)

select * from staged
