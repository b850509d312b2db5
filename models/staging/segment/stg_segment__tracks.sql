with

base as (
    select * from {{ ref('base_segment__tracks') }}
),

staged as (
    select
        message_id,
        anonymous_id,
        user_id,
        device_id,
        email,
        phone,
        event as event_name,
        event_text,
        context_ip as ip_address,
        context_user_agent as user_agent,
        context_page_url as page_url,
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
