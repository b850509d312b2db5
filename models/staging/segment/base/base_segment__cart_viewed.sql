{# Conformed, normalized, classified and copy-numbered rows of raw cart_viewed (macro segment_base). #}
{{ upstream.segment_base('cart_viewed') }}
