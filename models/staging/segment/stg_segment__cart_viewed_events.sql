with

base as (
    select * from {{ ref('base_segment__cart_viewed') }}
),

staged as (
    select
        message_id,
        anonymous_id,
        user_id,
        device_id,
        email,
        cart_id,
        {{ upstream.parse_json('products_json') }} as products,
        {{ upstream.json_array_length('products_json') }} as product_count,
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
