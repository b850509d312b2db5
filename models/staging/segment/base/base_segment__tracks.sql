{# Conformed, normalized, classified and copy-numbered rows of raw tracks (macro segment_base). #}
{{ upstream.segment_base('tracks') }}
