{# Yesterday's cart abandoners for the webhook (e.g. a support team's call list), holdout excluded. #}
{{ upstream.segment_activation('cart_abandoned_24h', payload=[
    'checkout_id', 'checkout_value', 'last_checkout_started_at',
]) }}
