{#-
    Trimmed text, or NULL when the sender used a placeholder for "no value"
    ('', 'null', 'undefined', ...: var upstream__junk_placeholders).
-#}
{% macro nullif_junk(expr) -%}
    case
        when {{ upstream.is_junk_placeholder(expr) }} then null
        else {{ upstream.trim_whitespace('cast(' ~ expr ~ ' as ' ~ dbt.type_string() ~ ')') }}
    end
{%- endmacro %}

{#- True when the text, trimmed, is one of the placeholders nullif_junk turns into NULL (NULL for NULL). -#}
{% macro is_junk_placeholder(expr) -%}
    {{ upstream.is_in_text_list(
        'lower(' ~ upstream.trim_whitespace('cast(' ~ expr ~ ' as ' ~ dbt.type_string() ~ ')') ~ ')',
        var('upstream__junk_placeholders'),
    ) }}
{%- endmacro %}
