{# Conformed, normalized, classified and copy-numbered rows of raw screens (macro segment_base). #}
{{ upstream.segment_base('screens') }}
