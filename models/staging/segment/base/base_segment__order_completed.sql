{# Conformed, normalized, classified and copy-numbered rows of raw order_completed (macro segment_base). #}
{{ upstream.segment_base('order_completed') }}
