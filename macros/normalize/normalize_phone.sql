{#-
    Phone number in E.164 (`+14155550123`), or NULL when it cannot be read unambiguously.
    - A leading `+` or `00` marks an international number: keep its 8–15 digits.
    - Otherwise only North American numbers are recognised: 10 digits, or 11 starting with 1.
      A national number of any other country is ambiguous without its country, so it is dropped.
    - Extensions (`x123`, `ext. 123`) are removed first; they are not part of the identity.
    Expects text already passed through nullif_junk (a column of an earlier CTE keeps SQL small).
-#}
{% macro normalize_phone(expr) -%}
    {%- set no_extension = upstream.regexp_replace_all(
        "lower(" ~ expr ~ ")", "[ ]*(ext[.]?|extension|x|#)[ ]*[0-9]+[ ]*$", ""
    ) -%}
    {%- set digits = upstream.regexp_replace_all(no_extension, "[^0-9]", "") -%}
    case
        when {{ upstream.regexp_like(no_extension, "'[a-z]'") }} then null
        when {{ no_extension }} like '+%'
            and length({{ digits }}) between 8 and 15
            and {{ digits }} not like '0%'
            then '+' || {{ digits }}
        when {{ no_extension }} like '00%'
            and length({{ digits }}) between 10 and 17
            and substr({{ digits }}, 3, 1) <> '0'
            then '+' || substr({{ digits }}, 3)
        when length({{ digits }}) = 10 then '+1' || {{ digits }}
        when length({{ digits }}) = 11 and {{ digits }} like '1%' then '+' || {{ digits }}
    end
{%- endmacro %}
