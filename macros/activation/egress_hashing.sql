{#-
    Identifiers for ad platforms leave the warehouse only as SHA-256 hex of the platform's
    documented normalization, computed from the profile's stored (already normalized) values:
      meta     email trimmed and lower-cased; phone digits only with the country code (no '+');
      google   email trimmed and lower-cased, dots removed before @gmail.com / @googlemail.com;
               phone in E.164 ('+' and country code).
    A value that already is 64 hex characters was hashed upstream and passes through unchanged
    (never hashed twice).
-#}
{% macro hash_once(normalized_expr, raw_expr) -%}
    case
        when {{ raw_expr }} is null then null
        when {{ upstream.regexp_like('lower(' ~ upstream.trim_whitespace(raw_expr) ~ ')', "'^[0-9a-f]{64}$'") }}
            then lower({{ upstream.trim_whitespace(raw_expr) }})
        else {{ upstream.sha256_hex(normalized_expr) }}
    end
{%- endmacro %}

{% macro hashed_email(expr, scheme) -%}
    {%- set base = 'lower(' ~ upstream.trim_whitespace(expr) ~ ')' -%}
    {%- if scheme == 'google' -%}
        {%- set local_part = dbt.split_part(base, "'@'", 1) -%}
        {%- set domain = dbt.split_part(base, "'@'", 2) -%}
        {%- set normalized = "case when " ~ domain ~ " in ('gmail.com', 'googlemail.com') then replace("
            ~ local_part ~ ", '.', '') || '@' || " ~ domain ~ " else " ~ base ~ " end" -%}
    {%- else -%}
        {%- set normalized = base -%}
    {%- endif -%}
    {{ upstream.hash_once(normalized, expr) }}
{%- endmacro %}

{% macro hashed_phone(expr, scheme) -%}
    {%- set digits = upstream.regexp_replace_all(expr, '[^0-9]', '') -%}
    {%- set normalized = digits if scheme == 'meta' else "'+' || " ~ digits -%}
    {{ upstream.hash_once(normalized, expr) }}
{%- endmacro %}
