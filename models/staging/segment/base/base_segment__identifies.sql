{# Conformed, normalized, classified and copy-numbered rows of raw identifies (macro segment_base). #}
{{ upstream.segment_base('identifies') }}
