{#
    One row per (row, identifier) across every staged source: who mentioned which identifier,
    and when. Per-event tables repeat the messages of `tracks`, so a message mentioning the same
    identifier twice collapses into one row.

    Incremental: a run reads the staged rows received since the latest one it has, minus
    var upstream__lookback_days, and stamps them with loaded_at; int_identity_touched_nodes
    reads that stamp to know which identity components to recompute.
#}
{{ config(
    materialized='incremental',
    unique_key=['message_id', 'id_type', 'id_value'],
    incremental_strategy='delete+insert',
) }}

with

{% for source in upstream.identity_mention_sources() %}
{{ source.source_model }}_mentions as (
    {% for column, id_type in source.identifiers.items() %}
    select
        '{{ source.source_model }}' as source_model,
        {{ source.key_expression }} as message_id,
        '{{ id_type }}' as id_type,
        {{ upstream.normalized_identifier(column, id_type) if source.normalize else column }} as id_value,
        {{ source.occurred_at }} as occurred_at,
        {{ source.received_at }} as received_at
    from {{ source.relation }}
    where {{ column }} is not null{{ upstream.lookback_filter(source.received_at) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

{% endfor %}
unioned as (
    {% for source in upstream.identity_mention_sources() %}
    select * from {{ source.source_model }}_mentions
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

collapsed as (
    select
        message_id,
        id_type,
        id_value,
        min(source_model) as source_model,
        min(occurred_at) as occurred_at,
        min(received_at) as received_at,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }}) as loaded_at
    from unioned
    where id_value is not null
    group by message_id, id_type, id_value
)

select * from collapsed
