{#
    Every segment in the project with its config, read from dbt's graph when the model runs:
    adding a segment file adds a row here, nothing else to register.
#}
{{ config(materialized='table') }}
{%- set segments = upstream.segment_nodes() -%}

with

registry as (
    {%- for node in segments %}
    {%- set settings = upstream.segment_settings(node) %}
    select
        '{{ settings.name }}' as segment_name,
        '{{ settings.description | replace("'", "''") }}' as segment_description,
        '{{ settings.owner | replace("'", "''") }}' as owner,
        '{{ settings.refresh }}' as refresh,
        '{{ tojson(settings.channels) | replace("'", "''") }}' as channels,
        {{ settings.holdout_share }} as holdout_share,
        '{{ tojson(settings.splits) | replace("'", "''") }}' as splits,
        '{{ node.relation_name | replace('"', '') }}' as relation_name,
        '{{ node.original_file_path }}' as file_path
    {{ "union all" if not loop.last }}
    {%- else %}
    {# No segment yet (and at parse time, when dbt's graph is empty): the right columns, no rows. #}
    select
        '' as segment_name,
        '' as segment_description,
        '' as owner,
        '' as refresh,
        '' as channels,
        0.0 as holdout_share,
        '' as splits,
        '' as relation_name,
        '' as file_path
    where 1 = 0
    {%- endfor %}
),

typed as (
    select
        cast(segment_name as {{ dbt.type_string() }}) as segment_name,
        cast(segment_description as {{ dbt.type_string() }}) as segment_description,
        cast(owner as {{ dbt.type_string() }}) as owner,
        cast(refresh as {{ dbt.type_string() }}) as refresh,
        cast(channels as {{ dbt.type_string() }}) as channels,
        cast(holdout_share as decimal(5, 4)) as holdout_share,
        cast(splits as {{ dbt.type_string() }}) as splits,
        cast(relation_name as {{ dbt.type_string() }}) as relation_name,
        cast(file_path as {{ dbt.type_string() }}) as file_path
    from registry
)

select * from typed
