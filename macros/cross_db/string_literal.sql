{#-
    A quoted SQL string literal holding exactly the given text. Standard SQL doubles a quote and
    keeps a backslash as it is; Spark reads backslash escapes and joins adjacent literals, so
    there a backslash and a quote are escaped with a backslash.
-#}
{% macro string_literal(value) %}
    {{- return(adapter.dispatch('string_literal', 'upstream')(value)) -}}
{% endmacro %}

{% macro default__string_literal(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}

{% macro spark__string_literal(value) -%}
    '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}

{#- A SQL list literal of the given strings: ('a', 'b'). Not for an empty list: use is_in_text_list. -#}
{% macro sql_text_list(values) -%}
    ({%- for value in values %}{{ upstream.string_literal(value) }}{{ ", " if not loop.last }}{% endfor -%})
{%- endmacro %}

{#- `(expr in ('a', 'b'))`, or false for an empty list (a var switched off with []): `in ()` is
    not SQL, and DuckDB reads it as an empty tuple. -#}
{% macro is_in_text_list(expr, values) -%}
    {%- if values | length == 0 -%}
        (1 = 0)
    {%- else -%}
        ({{ expr }} in {{ upstream.sql_text_list(values) }})
    {%- endif -%}
{%- endmacro %}
