{#-
    An identifier value from a governance table, normalized as staging normalizes it on events,
    so a request for ' Ana@Shop.IO ' finds ana@shop.io and '(415) 555-0123' finds +14155550123.
-#}
{% macro normalize_identifier(id_type_expr, value_expr) -%}
    case lower({{ upstream.trim_whitespace(id_type_expr) }})
        when 'email' then {{ upstream.normalize_email(upstream.nullif_junk(value_expr)) }}
        when 'phone' then {{ upstream.normalize_phone(upstream.nullif_junk(value_expr)) }}
        else {{ upstream.nullif_junk(value_expr) }}
    end
{%- endmacro %}

{#- A consent flag as a boolean: NULL when it says neither yes nor no. -#}
{% macro parse_consent_flag(expr) -%}
    case
        when lower({{ upstream.trim_whitespace('cast(' ~ expr ~ ' as ' ~ dbt.type_string() ~ ')') }})
            in ('true', 't', '1', 'yes', 'y', 'granted', 'opt_in', 'opted_in', 'subscribed') then true
        when lower({{ upstream.trim_whitespace('cast(' ~ expr ~ ' as ' ~ dbt.type_string() ~ ')') }})
            in ('false', 'f', '0', 'no', 'n', 'denied', 'revoked', 'opt_out', 'opted_out', 'unsubscribed') then false
    end
{%- endmacro %}
