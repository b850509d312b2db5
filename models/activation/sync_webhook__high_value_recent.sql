{# High-value recent customers for the CRM webhook, holdout excluded. #}
{{ upstream.segment_activation('high_value_recent', payload=['lifetime_revenue', 'order_count', 'last_order_at']) }}
