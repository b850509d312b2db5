{#
    Profiles kept out of every channel: any identifier of theirs whose latest suppress /
    unsuppress request is a suppress. Privacy requests apply whatever the run's as_of (a replay
    of the past must not resurrect a suppressed person).
#}

with

requests as (
    select * from {{ ref('stg_governance__privacy_requests') }}
    where request_type in ('suppress', 'unsuppress')
),

latest as (
    select
        *,
        row_number() over (
            partition by id_type, id_value order by requested_at desc, request_id desc
        ) as recency_rank
    from requests
),

suppressed_identifiers as (
    select
        id_type,
        id_value,
        request_id,
        requested_at
    from latest
    where
        recency_rank = 1
        and request_type = 'suppress'
),

suppressed_profiles as (
    select
        graph.profile_id,
        min(suppressed_identifiers.requested_at) as suppressed_at,
        min(suppressed_identifiers.request_id) as request_id
    from suppressed_identifiers
    inner join {{ ref('id_graph') }} as graph
        on suppressed_identifiers.id_type = graph.id_type
        and suppressed_identifiers.id_value = graph.id_value
    group by graph.profile_id
)

select * from suppressed_profiles
