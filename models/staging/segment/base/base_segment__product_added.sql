{# Conformed, normalized, classified and copy-numbered rows of raw product_added (macro segment_base). #}
{{ upstream.segment_base('product_added') }}
