{#
    Every link inside one profile and the rows behind it: why these identifiers are one person.
    dbt compile --select identity_profile_links --vars '{profile_id: <id>}', then run the SQL in
    target/compiled/. The CLI `python -m orchestration.explain_identity why A B` walks the
    shortest chain between two identifiers of the same data.
#}

with

profiles as (
    select * from {{ ref('int_identity_profiles') }}
    where profile_id = '{{ var("profile_id", "") }}'
),

edges as (
    select * from {{ ref('int_identity_edges') }}
),

mentions as (
    select * from {{ ref('int_identifier_mentions') }}
),

links as (
    select
        side_a.id_type as id_type_a,
        side_a.id_value as id_value_a,
        side_b.id_type as id_type_b,
        side_b.id_value as id_value_b,
        edges.linked_at,
        edges.message_count
    from edges
    inner join profiles as side_a on edges.node_a = side_a.node_key
    inner join profiles as side_b on edges.node_b = side_b.node_key
),

evidence as (
    select
        links.*,
        mention_a.source_model,
        mention_a.message_id,
        mention_a.occurred_at
    from links
    inner join mentions as mention_a
        on links.id_type_a = mention_a.id_type
        and links.id_value_a = mention_a.id_value
    inner join mentions as mention_b
        on mention_a.message_id = mention_b.message_id
        and links.id_type_b = mention_b.id_type
        and links.id_value_b = mention_b.id_value
)

select * from evidence
