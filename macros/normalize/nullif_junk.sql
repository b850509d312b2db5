{#-
    Trimmed text, or NULL when the sender used a placeholder for "no value"
    ('', 'null', 'undefined', ...: var upstream__junk_placeholders).
-#}
{% macro nullif_junk(expr) -%}
    {%- set placeholders = var('upstream__junk_placeholders') -%}
    case
        when lower(trim(cast({{ expr }} as {{ dbt.type_string() }}))) in {{ upstream.sql_text_list(placeholders) }} then null
        else trim(cast({{ expr }} as {{ dbt.type_string() }}))
    end
{%- endmacro %}
