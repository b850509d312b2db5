{# New visitors with an email address for the welcome series, split into welcome_a / welcome_b. #}
{{ upstream.segment_activation('new_visitors_7d', payload=['first_seen_at']) }}
