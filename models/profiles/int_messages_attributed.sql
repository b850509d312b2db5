{#
    The profile behind every staged row: of the identifiers the row mentions, the strongest one
    that is in the identity graph decides (a login beats an email beats a cookie), so a row on a
    shared laptop goes to the person who was logged in.

    A message that mentions any identifier forgotten by a deletion request belongs to nobody:
    once its strongest identifiers are gone, the weaker ones left (a cookie shared with someone
    else) would hand the deleted person's data, their email among it, to another profile.

    Incremental: a run attributes again only the messages with mentions loaded since this
    table's loaded_at and the messages mentioning an identifier whose profile changed
    (int_identity_reassignments). A message left with no identifier in the graph is written
    with a NULL profile, replacing its old row, and the post-hook deletes it.
#}
{{ config(
    materialized='incremental',
    unique_key='message_id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    post_hook="{{ upstream.delete_rows_hook(this, 'profile_id is null') }}",
) }}
-- depends_on: {{ ref('int_identity_reassignments') }}
{#- A table stored before loaded_at existed is attributed whole, once. -#}
{%- set incremental = is_incremental() and upstream.relation_has_column(this, 'loaded_at') %}
{#- Only an incremental run writes NULL-profile rows (they replace, then the hook deletes); a full
    build joins the graph inner, which is cheaper. -#}
{%- set unattributed_rows = 'or profile_id is null' if incremental else '' %}
{%- set graph_join = 'left join' if incremental else 'inner join' %}

with

mentions as (
    select * from {{ ref('int_identifier_mentions') }}
),

graph as (
    select * from {{ ref('id_graph') }}
),

{% if incremental %}
recomputed_messages as (
    {{ upstream.reattributed_messages('select max(stored.loaded_at) from ' ~ this ~ ' as stored') | indent(4) }}
),

scoped_mentions as (
    select mentions.*
    from mentions
    inner join recomputed_messages on mentions.message_id = recomputed_messages.message_id
),
{% else %}
scoped_mentions as (
    select * from mentions
),
{% endif %}

forgotten_messages as (
    select distinct scoped_mentions.message_id
    from scoped_mentions
    inner join {{ ref('privacy_forgotten_identifiers') }} as forgotten
        on {{ upstream.stable_key("scoped_mentions.id_type || ':' || scoped_mentions.id_value") }}
        = forgotten.node_key
),

attributed_mentions as (
    select
        scoped_mentions.message_id,
        graph.profile_id,
        row_number() over (
            partition by scoped_mentions.message_id
            order by
                case when graph.profile_id is null then 1 else 0 end,
                {{ upstream.identity_priority('scoped_mentions.id_type') }},
                scoped_mentions.id_type,
                scoped_mentions.id_value
        ) as strength_rank,
        max(scoped_mentions.loaded_at) over (partition by scoped_mentions.message_id) as loaded_at
    from scoped_mentions
    {{ graph_join }} graph
        on scoped_mentions.id_type = graph.id_type
        and scoped_mentions.id_value = graph.id_value
),

strongest as (
    select
        attributed_mentions.message_id,
        case when forgotten_messages.message_id is null then attributed_mentions.profile_id end as profile_id,
        attributed_mentions.loaded_at
    from attributed_mentions
    left join forgotten_messages on attributed_mentions.message_id = forgotten_messages.message_id
    where attributed_mentions.strength_rank = 1
),

attributed as (
    select
        message_id,
        profile_id,
        loaded_at
    from strongest
    where profile_id is not null {{ unattributed_rows }}
)

select * from attributed
