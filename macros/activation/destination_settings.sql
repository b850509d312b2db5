{#-
    One destination of var upstream__destinations, validated: consent (categories the person must
    have granted), contact (email | phone | email_or_phone | none), hashing (meta | google | none).
-#}
{% macro destination_settings(name) -%}
    {%- set destinations = var('upstream__destinations') -%}
    {%- set where = 'var upstream__destinations.' ~ name ~ ': ' -%}
    {%- if name not in destinations -%}
        {{ exceptions.raise_compiler_error(
            'destination ' ~ name ~ ' is not in var upstream__destinations (known: '
            ~ destinations.keys() | join(', ') ~ '); add it with its consent categories'
        ) }}
    {%- endif -%}
    {%- set raw = destinations[name] or {} -%}
    {%- set consent = raw.get('consent', []) -%}
    {%- for category in consent -%}
        {%- if category not in var('upstream__consent_categories') -%}
            {{ exceptions.raise_compiler_error(where ~ "consent category '" ~ category ~ "' is not in upstream__consent_categories") }}
        {%- endif -%}
    {%- endfor -%}
    {%- set contact = raw.get('contact', 'none') -%}
    {%- if contact not in ['email', 'phone', 'email_or_phone', 'none'] -%}
        {{ exceptions.raise_compiler_error(where ~ "contact must be email, phone, email_or_phone or none, got '" ~ contact ~ "'") }}
    {%- endif -%}
    {%- set hashing = raw.get('hashing', 'none') -%}
    {%- if hashing not in ['meta', 'google', 'none'] -%}
        {{ exceptions.raise_compiler_error(where ~ "hashing must be meta, google or none, got '" ~ hashing ~ "'") }}
    {%- endif -%}
    {{- return({'name': name, 'consent': consent, 'contact': contact, 'hashing': hashing}) -}}
{%- endmacro %}
