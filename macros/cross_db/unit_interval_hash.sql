{#-
    A number in [0, 1) from a text value, the same on every engine and every run (the first 32
    bits of its MD5), so holdout and split assignments never move between runs or engines.
-#}
{% macro unit_interval_hash(expr) %}
    {{- return(adapter.dispatch('unit_interval_hash', 'upstream')(expr)) -}}
{% endmacro %}

{% macro default__unit_interval_hash(expr) -%}
    (cast(('0x' || substr(md5({{ expr }}), 1, 8)) as bigint) / 4294967296.0)
{%- endmacro %}

{% macro postgres__unit_interval_hash(expr) -%}
    (('x' || substr(md5({{ expr }}), 1, 8))::bit(32)::bigint / 4294967296.0)
{%- endmacro %}

{% macro spark__unit_interval_hash(expr) -%}
    (cast(conv(substr(md5({{ expr }}), 1, 8), 16, 10) as bigint) / 4294967296.0)
{%- endmacro %}
