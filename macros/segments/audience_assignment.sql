{#-
    Holdout and split of one member: a hash of (audience, profile) picks a point in [0, 1);
    the first holdout_share of the line is the holdout, the rest is divided among the splits in
    the order given (one split, 'treatment', when none are configured). Deterministic, so a
    person keeps their group on every run and every engine.
-#}
{% macro audience_is_holdout(audience_name, profile_expr, holdout_share) -%}
    ({{ upstream.unit_interval_hash("'" ~ audience_name ~ ":' || " ~ profile_expr) }} < {{ holdout_share }})
{%- endmacro %}

{% macro audience_split_name(audience_name, profile_expr, holdout_share, splits) -%}
    {%- set point = upstream.unit_interval_hash("'" ~ audience_name ~ ":' || " ~ profile_expr) -%}
    {%- set ns = namespace(edge=holdout_share) -%}
    case
        when {{ point }} < {{ holdout_share }} then 'holdout'
    {%- for variant, weight in (splits or {}).items() %}
        {%- set ns.edge = ns.edge + (1 - holdout_share) * weight %}
        {%- if not loop.last %}
        when {{ point }} < {{ ns.edge }} then '{{ variant }}'
        {%- else %}
        else '{{ variant }}'
        {%- endif %}
    {%- else %}
        else 'treatment'
    {%- endfor %}
    end
{%- endmacro %}
