{#
    The warehouse's secret key for naming profiles: profile_id is the MD5 of this key and the
    profile's oldest identifier, so a list of emails cannot be hashed into the profile ids a
    channel receives. Written once, by the first build, and kept through --full-refresh (a new
    key would rename every profile); it lives only in the warehouse, never in the repository.
    A warehouse that already had profiles when this model first ran keeps an empty key: its
    profiles keep their unkeyed names, as new data must never rename a profile (drop this table
    and rebuild with --full-refresh to key them, knowing every profile id changes).
    UPSTREAM_PROFILE_ID_KEY, when set at the first build, fixes the key instead of drawing one:
    for test suites that compare warehouses built apart (it reaches dbt's logs; never use it
    for real data).
#}
{{ config(materialized='incremental', full_refresh=false) }}
{%- set graph = adapter.get_relation(
    database=upstream.target_database(), schema=target.schema, identifier='id_graph'
) if execute else none %}
{%- set fixed = env_var('UPSTREAM_PROFILE_ID_KEY', '') %}

{%- if graph is not none %}
{%- set drawn_key = "cast('' as " ~ dbt.type_string() ~ ")" %}
{%- elif fixed %}
{%- set drawn_key = dbt.hash(upstream.string_literal(fixed)) %}
{%- else %}
{%- set drawn_key = upstream.random_key() %}
{%- endif %}

with

drawn as (
    select {{ drawn_key }} as key_value
)

select key_value from drawn
{% if is_incremental() %}
{#- Never replaced once written. #}
where not exists (select 1 from {{ this }})
{% endif %}
