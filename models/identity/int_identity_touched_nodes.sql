{#
    Identifiers mentioned by the rows loaded in the latest run of int_identifier_mentions.
    Their components, as the previous run left them, are what an incremental run recomputes.
    Keys come from the mention itself, so an identifier that has just been excluded (it became
    a hub) still marks its old component for recomputation. id_type and id_value let readers
    find the identifier's mentions by value (NULL for a forgotten identifier, known by key only).
#}
{{ config(materialized='table') }}
{#- Identifiers forgotten by deletion requests also touch their old components, so those are
    recomputed without them. -#}
{%- set forgotten = upstream.previous_relation('privacy_forgotten_identifiers') %}

with

mentions as (
    select * from {{ ref('int_identifier_mentions') }}
),

latest_load as (
    select max(loaded_at) as loaded_at from mentions
),

latest_batch as (
    select distinct
        {{ upstream.stable_key("mentions.id_type || ':' || mentions.id_value") }} as node_key,
        mentions.id_type,
        mentions.id_value
    from mentions
    inner join latest_load on mentions.loaded_at = latest_load.loaded_at
    {%- if forgotten is not none %}
    union
    select
        forgotten.node_key,
        cast(null as {{ dbt.type_string() }}) as id_type,
        cast(null as {{ dbt.type_string() }}) as id_value
    from {{ forgotten }} as forgotten
    {%- endif %}
)

select * from latest_batch
