{#- Entries of var upstream__profile_trait_sources, checked, with their relation resolved. -#}
{% macro profile_trait_sources() -%}
    {%- set sources = [] -%}
    {%- for entry in var('upstream__profile_trait_sources', []) -%}
        {%- for required in ['name', 'key_column', 'key_id_type', 'columns'] -%}
            {%- if not entry.get(required) -%}
                {{- exceptions.raise_compiler_error(
                    "upstream__profile_trait_sources entry " ~ (entry.get('name') or entry) ~ " needs '" ~ required ~ "'"
                ) -}}
            {%- endif -%}
        {%- endfor -%}
        {%- if entry['key_id_type'] not in upstream.identity_types() -%}
            {{- exceptions.raise_compiler_error(
                "trait source " ~ entry['name'] ~ ": key_id_type '" ~ entry['key_id_type']
                ~ "' is not declared in upstream__identity_types or upstream__identity_extra_types"
            ) -}}
        {%- endif -%}
        {%- if entry.get('ref') -%}
            {%- set relation = ref(entry['ref']) -%}
        {%- elif entry.get('source') -%}
            {%- set relation = source(entry['source'][0], entry['source'][1]) -%}
        {%- elif entry.get('relation') -%}
            {%- set relation = entry['relation'] -%}
        {%- else -%}
            {{- exceptions.raise_compiler_error("trait source " ~ entry['name'] ~ " needs 'ref', 'source' or 'relation'") -}}
        {%- endif -%}
        {%- do sources.append({
            'name': entry['name'],
            'relation': relation,
            'key_column': entry['key_column'],
            'key_id_type': entry['key_id_type'],
            'updated_at_column': entry.get('updated_at_column'),
            'columns': entry['columns'],
        }) -%}
    {%- endfor -%}
    {{- return(sources) -}}
{%- endmacro %}

{#- A JSON object in text from (key, SQL expression) pairs. -#}
{% macro json_object_text(pairs) %}
    {{- return(adapter.dispatch('json_object_text', 'upstream')(pairs)) -}}
{% endmacro %}

{% macro default__json_object_text(pairs) -%}
    {%- if pairs | length == 0 -%}
        '{}'
    {%- else -%}
        cast(to_json({ {%- for key, expr in pairs %}'{{ key }}': {{ expr }}{{ ", " if not loop.last }}{% endfor -%} }) as varchar)
    {%- endif -%}
{%- endmacro %}

{% macro postgres__json_object_text(pairs) -%}
    cast(jsonb_build_object({%- for key, expr in pairs %}'{{ key }}', {{ expr }}{{ ", " if not loop.last }}{% endfor -%}) as text)
{%- endmacro %}

{% macro spark__json_object_text(pairs) -%}
    to_json(named_struct({%- for key, expr in pairs %}'{{ key }}', {{ expr }}{{ ", " if not loop.last }}{% endfor -%}))
{%- endmacro %}
