{#
    The profile behind every staged row: of the identifiers the row mentions, the strongest one
    that is in the identity graph decides (a login beats an email beats a cookie), so a row on a
    shared laptop goes to the person who was logged in.
#}

with

mentions as (
    select * from {{ ref('int_identifier_mentions') }}
),

graph as (
    select * from {{ ref('id_graph') }}
),

attributed_mentions as (
    select
        mentions.message_id,
        graph.profile_id,
        row_number() over (
            partition by mentions.message_id
            order by {{ upstream.identity_priority('mentions.id_type') }}, mentions.id_type, mentions.id_value
        ) as strength_rank
    from mentions
    inner join graph
        on mentions.id_type = graph.id_type
        and mentions.id_value = graph.id_value
),

attributed as (
    select
        message_id,
        profile_id
    from attributed_mentions
    where strength_rank = 1
)

select * from attributed
