{#- Is the text a well-formed JSON document? -#}
{% macro is_valid_json(expr) %}
    {{- return(adapter.dispatch('is_valid_json', 'upstream')(expr)) -}}
{% endmacro %}

{% macro default__is_valid_json(expr) -%}
    json_valid({{ expr }})
{%- endmacro %}

{% macro postgres__is_valid_json(expr) -%}
    {{ target.schema }}.upstream_is_valid_json({{ expr }})
{%- endmacro %}

{% macro spark__is_valid_json(expr) -%}
    (json_array_length({{ expr }}) is not null or get_json_object({{ expr }}, '$') is not null)
{%- endmacro %}

{#- Parse JSON text into the engine's JSON type (Spark keeps the string and reads it with get_json_object). -#}
{% macro parse_json(expr) %}
    {{- return(adapter.dispatch('parse_json', 'upstream')(expr)) -}}
{% endmacro %}

{% macro default__parse_json(expr) -%}
    json({{ expr }})
{%- endmacro %}

{% macro postgres__parse_json(expr) -%}
    cast({{ expr }} as jsonb)
{%- endmacro %}

{% macro spark__parse_json(expr) -%}
    {{ expr }}
{%- endmacro %}

{#- Number of elements of a JSON array held as text; NULL if it is not an array. -#}
{% macro json_array_length(expr) %}
    {{- return(adapter.dispatch('json_array_length', 'upstream')(expr)) -}}
{% endmacro %}

{% macro default__json_array_length(expr) -%}
    {#- json_type raises on malformed text, so validity is checked in an earlier branch. -#}
    case
        when not json_valid({{ expr }}) then null
        when json_type({{ expr }}) = 'ARRAY' then json_array_length({{ expr }})
    end
{%- endmacro %}

{% macro postgres__json_array_length(expr) -%}
    case when jsonb_typeof(cast({{ expr }} as jsonb)) = 'array' then jsonb_array_length(cast({{ expr }} as jsonb)) end
{%- endmacro %}

{% macro spark__json_array_length(expr) -%}
    json_array_length({{ expr }})
{%- endmacro %}

{#- The whole row behind a table alias as JSON text, for quarantine rows. -#}
{% macro row_to_json(alias) %}
    {{- return(adapter.dispatch('row_to_json', 'upstream')(alias)) -}}
{% endmacro %}

{% macro default__row_to_json(alias) -%}
    cast(to_json({{ alias }}) as {{ dbt.type_string() }})
{%- endmacro %}

{% macro postgres__row_to_json(alias) -%}
    cast(row_to_json({{ alias }}) as text)
{%- endmacro %}

{% macro spark__row_to_json(alias) -%}
    {#- Keep null fields, as the other engines do: a quarantined row shows every column. -#}
    to_json(struct({{ alias }}.*), map('ignoreNullFields', 'false'))
{%- endmacro %}

{#-
    A value that orders distinct raw rows deterministically, for picking one copy of a message
    that arrived twice at the same instant. DuckDB hashes the row: serializing every raw row to
    JSON just to sort by it tripled the cost of every staging read. Elsewhere the
    JSON text does the job.
-#}
{% macro row_order_key(alias) %}
    {{- return(adapter.dispatch('row_order_key', 'upstream')(alias)) -}}
{% endmacro %}

{% macro default__row_order_key(alias) -%}
    {{ upstream.row_to_json(alias) }}
{%- endmacro %}

{% macro duckdb__row_order_key(alias) -%}
    cast(hash({{ alias }}) as {{ dbt.type_string() }})
{%- endmacro %}

{#- In a select list: one output row per element of a JSON array (a set-returning expression). -#}
{% macro json_array_items(expr) %}
    {{- return(adapter.dispatch('json_array_items', 'upstream')(expr)) -}}
{% endmacro %}

{% macro default__json_array_items(expr) -%}
    unnest(cast({{ expr }} as json[]))
{%- endmacro %}

{% macro postgres__json_array_items(expr) -%}
    jsonb_array_elements(cast({{ expr }} as jsonb))
{%- endmacro %}

{% macro spark__json_array_items(expr) -%}
    explode(from_json({{ expr }}, 'array<string>'))
{%- endmacro %}

{#- A top-level field of a JSON object, as text. -#}
{% macro json_field_text(expr, field) %}
    {{- return(adapter.dispatch('json_field_text', 'upstream')(expr, field)) -}}
{% endmacro %}

{% macro default__json_field_text(expr, field) -%}
    ({{ expr }} ->> '{{ field }}')
{%- endmacro %}

{% macro spark__json_field_text(expr, field) -%}
    get_json_object({{ expr }}, '$.{{ field }}')
{%- endmacro %}
