{# Lapsed customers for a Google Customer Match win-back audience (email or phone needed to match). #}
{{ upstream.segment_activation('lapsed_customers', payload=['order_count', 'lifetime_revenue', 'last_order_at']) }}
