{# Cart-abandonment step 3: the Meta retargeting audience from 24 hours until an order (or 7 days). #}
{{ upstream.journey_step_activation('cart_abandonment', 3) }}
