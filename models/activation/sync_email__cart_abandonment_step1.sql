{# Cart-abandonment step 1: the email, 30 minutes after checkout, one row per message to send. #}
{{ upstream.journey_step_activation('cart_abandonment', 1) }}
