{# Cart-abandonment step 2: the SMS at 2 hours if there is still no order, one row per message. #}
{{ upstream.journey_step_activation('cart_abandonment', 2) }}
