with

base as (
    select * from {{ ref('base_segment__pages') }}
),

staged as (
    select
        message_id,
        anonymous_id,
        user_id,
        email,
        name as page_name,
        path as page_path,
        url as page_url,
        referrer as referrer_url,
        title as page_title,
        context_ip as ip_address,
        context_user_agent as user_agent,
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
