{# Conformed, normalized, classified and copy-numbered rows of raw checkout_started (macro segment_base). #}
{{ upstream.segment_base('checkout_started') }}
