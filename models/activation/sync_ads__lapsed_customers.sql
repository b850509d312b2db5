{# Lapsed customers for a win-back ad audience (email or phone needed to match). #}
{{ upstream.segment_activation('lapsed_customers', payload=['order_count', 'lifetime_revenue', 'last_order_at']) }}
