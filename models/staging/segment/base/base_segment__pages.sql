{# Conformed, normalized, classified and copy-numbered rows of raw pages (macro segment_base). #}
{{ upstream.segment_base('pages') }}
