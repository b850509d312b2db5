{#-
    Email as the identity graph compares it: trimmed, lower-cased, without a `mailto:` prefix.
    Syntax validation belongs to the identity layer; staging only canonicalizes.
    Expects text already passed through nullif_junk (a column of an earlier CTE keeps SQL small).
-#}
{% macro normalize_email(expr) -%}
    case
        when lower({{ expr }}) like 'mailto:%' then nullif({{ upstream.trim_whitespace('substr(lower(' ~ expr ~ '), 8)') }}, '')
        else lower({{ upstream.trim_whitespace(expr) }})
    end
{%- endmacro %}
