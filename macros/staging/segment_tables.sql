{#-
    The Segment tables staging reads, in one place for the models that union over all of them
    (rejected_events, segment_load_summary). Each has a base model `base_segment__<table>`.
-#}
{% macro segment_tables() -%}
    {{- return([
        'identifies', 'users', 'tracks', 'pages', 'screens',
        'product_viewed', 'product_added', 'cart_viewed', 'checkout_started', 'order_completed',
    ]) -}}
{%- endmacro %}
