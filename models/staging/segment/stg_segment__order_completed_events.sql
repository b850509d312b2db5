with

base as (
    select * from {{ ref('base_segment__order_completed') }}
),

staged as (
    select
        message_id,
        anonymous_id,
        user_id,
        device_id,
        email,
        phone,
        order_id,
        checkout_id,
        {{ upstream.safe_cast('revenue', dbt.type_numeric()) }} as revenue,
        {{ upstream.safe_cast('total', dbt.type_numeric()) }} as total,
        {{ upstream.safe_cast('shipping', dbt.type_numeric()) }} as shipping,
        {{ upstream.safe_cast('tax', dbt.type_numeric()) }} as tax,
        {{ upstream.safe_cast('discount', dbt.type_numeric()) }} as discount,
        coupon,
        upper(currency) as currency,
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
