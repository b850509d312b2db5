{#
    Traits from other tables (var upstream__profile_trait_sources), one column per declared
    trait named <source>__<column>, joined to profiles through the identity graph by the key the
    table carries. Several rows matching one profile: the latest updated_at_column wins, then
    the smallest key value. extra_traits holds the same values as one JSON object, which is
    how they reach the `profiles` contract.
#}
{%- set sources = upstream.profile_trait_sources() %}

with

graph as (
    select * from {{ ref('id_graph') }}
),

profile_keys as (
    select distinct profile_id from graph
),

{% for source in sources %}
{{ source.name }}_matched as (
    select
        graph.profile_id,
        {%- for column in source.columns %}
        source_rows.{{ column }} as {{ source.name }}__{{ column }},
        {%- endfor %}
        row_number() over (
            partition by graph.profile_id
            order by
                {% if source.updated_at_column %}source_rows.{{ source.updated_at_column }} desc nulls last,{% endif %}
                source_rows.{{ source.key_column }} asc
        ) as match_rank
    from {{ source.relation }} as source_rows
    inner join graph
        on graph.id_type = '{{ source.key_id_type }}'
        and graph.id_value = {{ upstream.normalized_identifier('source_rows.' ~ source.key_column, source.key_id_type) }}
),

{% endfor %}
{%- set pairs = [] %}
{%- for source in sources %}{% for column in source.columns %}
    {%- do pairs.append((source.name ~ '__' ~ column, source.name ~ '_matched.' ~ source.name ~ '__' ~ column)) %}
{%- endfor %}{% endfor %}
joined as (
    select
        profile_keys.profile_id,
        {%- for source in sources %}
        {%- for column in source.columns %}
        {{ source.name }}_matched.{{ source.name }}__{{ column }},
        {%- endfor %}
        {%- endfor %}
        {{ upstream.json_object_text(pairs) }} as extra_traits
    from profile_keys
    {%- for source in sources %}
    left join {{ source.name }}_matched
        on profile_keys.profile_id = {{ source.name }}_matched.profile_id
        and {{ source.name }}_matched.match_rank = 1
    {%- endfor %}
)

select * from joined
