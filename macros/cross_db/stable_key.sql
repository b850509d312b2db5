{#-
    A BIGINT derived from a text value: the same value gives the same key on every run, so
    stored state (the identity clusters) can be joined back to recomputed rows. 63 bits keep
    collisions negligible (n² / 2^64: about 1e-6 for 5M identifiers).
-#}
{% macro stable_key(expr) %}
    {{- return(adapter.dispatch('stable_key', 'upstream')(expr)) -}}
{% endmacro %}

{% macro default__stable_key(expr) -%}
    cast(hash({{ expr }}) >> 1 as bigint)
{%- endmacro %}

{% macro postgres__stable_key(expr) -%}
    ('x' || substr(md5({{ expr }}), 1, 15))::bit(60)::bigint
{%- endmacro %}

{% macro spark__stable_key(expr) -%}
    xxhash64({{ expr }})
{%- endmacro %}
