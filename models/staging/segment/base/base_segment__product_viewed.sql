{# Conformed, normalized, classified and copy-numbered rows of raw product_viewed (macro segment_base). #}
{{ upstream.segment_base('product_viewed') }}
