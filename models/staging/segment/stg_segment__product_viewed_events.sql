with

base as (
    select * from {{ ref('base_segment__product_viewed') }}
),

staged as (
    select
        message_id,
        anonymous_id,
        user_id,
        device_id,
        email,
        product_id,
        sku,
        category,
        name as product_name,
        {{ upstream.safe_cast('price', dbt.type_numeric()) }} as price,
        {{ upstream.safe_cast('quantity', dbt.type_int()) }} as quantity,
        upper(currency) as currency,
        cart_id,
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
