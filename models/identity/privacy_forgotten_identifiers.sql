{#
    Deletion requests applied: every identifier of every profile that held a requested
    identifier (a request by email forgets the whole person), plus the requested identifier itself
    so it never links again. Only hashes are kept — identifier_hash (SHA-256 of
    "<id_type>:<id_value>") and the graph's node_key — never the values.

    Append-only and kept through --full-refresh (full_refresh: false): forgetting must outlive
    rebuilds. A request is applied once, by the first build that sees it. id_graph drops these
    identifiers' profiles in the same build; from the next build on, int_identifiers_validated
    leaves them out of linking altogether.
#}
{{ config(materialized='incremental', full_refresh=false) }}

with

requests as (
    select * from {{ ref('stg_governance__privacy_requests') }}
    where request_type = 'delete'
    {% if is_incremental() %}
        and request_id not in (select applied.request_id from {{ this }} as applied)
    {% endif %}
),

assigned as (
    select * from {{ ref('int_identity_profiles') }}
),

hit_profiles as (
    select distinct
        requests.request_id,
        assigned.profile_id
    from requests
    inner join assigned
        on requests.id_type = assigned.id_type
        and requests.id_value = assigned.id_value
),

forgotten as (
    select
        hit_profiles.request_id,
        hit_profiles.profile_id,
        assigned.id_type,
        assigned.id_value
    from hit_profiles
    inner join assigned on hit_profiles.profile_id = assigned.profile_id
    union
    select
        request_id,
        cast(null as {{ dbt.type_string() }}) as profile_id,
        id_type,
        id_value
    from requests
),

first_request as (
    select
        *,
        row_number() over (
            partition by id_type, id_value order by case when profile_id is null then 1 else 0 end, request_id
        ) as request_rank
    from forgotten
),

hashed as (
    select
        {{ upstream.sha256_hex("id_type || ':' || id_value") }} as identifier_hash,
        {{ upstream.stable_key("id_type || ':' || id_value") }} as node_key,
        id_type,
        profile_id,
        request_id,
        {{ upstream.run_recorded_at() }} as forgotten_at
    from first_request
    where request_rank = 1
)

select * from hashed
{% if is_incremental() %}
where hashed.identifier_hash not in (select known.identifier_hash from {{ this }} as known)
{% endif %}
