{#-
    The segment config of a model, validated, with defaults filled in. A segment is a model
    whose config has meta.segment:
        description   what the audience is (text, required)
        owner         who answers for it (text, required)
        refresh       dynamic (re-evaluated every run, the default) | static (frozen when first
                      built, never re-evaluated until --full-refresh)
        channels      destinations meant to receive it (list of names, informational)
        holdout_share share of members held out of every channel, 0 <= share < 1 (default 0)
        splits        optional {variant: weight, ...} dividing the other members; weights sum to 1
    `node` is a graph node or the `model` context; errors name the model and the field.
-#}
{% macro segment_settings(node) -%}
    {%- set meta = node.config.get('meta', {}) or {} -%}
    {%- set raw = meta.get('segment') -%}
    {%- set where = 'segment ' ~ node.name ~ ': ' -%}
    {%- if raw is not mapping -%}
        {{ exceptions.raise_compiler_error(where ~ "config meta.segment must be a mapping (description, owner, refresh, channels, holdout_share, splits)") }}
    {%- endif -%}
    {%- set allowed = ['description', 'owner', 'refresh', 'channels', 'holdout_share', 'splits'] -%}
    {%- for key in raw -%}
        {%- if key not in allowed -%}
            {{ exceptions.raise_compiler_error(where ~ "unknown meta.segment field '" ~ key ~ "' (allowed: " ~ allowed | join(', ') ~ ")") }}
        {%- endif -%}
    {%- endfor -%}
    {%- for key in ['description', 'owner'] -%}
        {%- if not raw.get(key) or raw.get(key) is not string -%}
            {{ exceptions.raise_compiler_error(where ~ "meta.segment." ~ key ~ " is required text") }}
        {%- endif -%}
    {%- endfor -%}
    {%- set refresh = raw.get('refresh', 'dynamic') -%}
    {%- if refresh not in ['dynamic', 'static'] -%}
        {{ exceptions.raise_compiler_error(where ~ "meta.segment.refresh must be 'dynamic' or 'static', got '" ~ refresh ~ "'") }}
    {%- endif -%}
    {%- set channels = raw.get('channels', []) -%}
    {%- if channels is string or channels is not iterable -%}
        {{ exceptions.raise_compiler_error(where ~ "meta.segment.channels must be a list of destination names") }}
    {%- endif -%}
    {%- set holdout_share = raw.get('holdout_share', 0) -%}
    {%- if holdout_share is not number or holdout_share < 0 or holdout_share >= 1 -%}
        {{ exceptions.raise_compiler_error(where ~ "meta.segment.holdout_share must be a number in [0, 1), got '" ~ holdout_share ~ "'") }}
    {%- endif -%}
    {%- set splits = raw.get('splits', {}) or {} -%}
    {%- if splits is not mapping -%}
        {{ exceptions.raise_compiler_error(where ~ "meta.segment.splits must map variant names to weights") }}
    {%- endif -%}
    {%- set ns = namespace(total=0) -%}
    {%- for variant, weight in splits.items() -%}
        {%- if weight is not number or weight <= 0 -%}
            {{ exceptions.raise_compiler_error(where ~ "meta.segment.splits." ~ variant ~ " must be a positive number") }}
        {%- endif -%}
        {%- set ns.total = ns.total + weight -%}
    {%- endfor -%}
    {%- if splits and (ns.total - 1) | abs > 0.000001 -%}
        {{ exceptions.raise_compiler_error(where ~ "meta.segment.splits weights must sum to 1, they sum to " ~ ns.total) }}
    {%- endif -%}
    {{- return({
        'name': node.name,
        'description': raw['description'],
        'owner': raw['owner'],
        'refresh': refresh,
        'channels': channels | list,
        'holdout_share': holdout_share,
        'splits': splits,
    }) -}}
{%- endmacro %}

{#- Every segment in the project (graph nodes with meta.segment), sorted by name; execution time only. -#}
{% macro segment_nodes() -%}
    {%- set found = [] -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values() | selectattr('resource_type', 'equalto', 'model') | sort(attribute='name') -%}
            {%- if (node.config.get('meta', {}) or {}).get('segment') is not none -%}
                {%- do found.append(node) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{- return(found) -}}
{%- endmacro %}
