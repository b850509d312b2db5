{#
    One row per (row, identifier) across every staged source: who mentioned which identifier,
    and when. Per-event tables repeat the messages of `tracks`, so a message mentioning the same
    identifier twice collapses into one row.

    Incremental: a run reads the staged rows received since the latest one it has, minus
    var upstream__lookback_days, and stores those it does not already hold as they are, stamped
    with loaded_at; int_identity_touched_nodes and int_identifiers_validated read that stamp to
    know what to recompute. Rows re-read by the lookback keep their old stamp, so they do not
    count as new.
#}
{{ config(
    materialized='incremental',
    unique_key=['message_id', 'id_type', 'id_value'],
    incremental_strategy='delete+insert',
) }}

{#- Sources are numbered in name order, so the least source_rank names the same source min(name)
    would, with a number instead of text to carry through the sort below. -#}
{%- set source_names = upstream.identity_mention_sources() | map(attribute='source_model') | sort -%}
{#- Where an incremental run starts reading: the latest valid received_at stored minus
    var upstream__lookback_days, read once and written into each source's filter as a constant. -#}
{%- set since = upstream.lookback_cutoff(this) if is_incremental() else none -%}

with

{% for source in upstream.identity_mention_sources() %}
{# One scan of the source, unpivoted: each row meets the list of its identifier columns. #}
{{ source.source_model }}_mentions as (
    select
        {{ source_names.index(source.source_model) + 1 }} as source_rank,
        {{ source.key_expression }} as message_id,
        id_columns.id_type,
        case id_columns.column_index
            {%- for column, id_type in source.identifiers.items() %}
            when {{ loop.index }}
                then {{ upstream.normalized_identifier(column, id_type) if source.normalize else column }}
            {%- endfor %}
        end as id_value,
        {{ source.occurred_at }} as occurred_at,
        {{ source.received_at }} as received_at
    from {{ source.relation }}
    cross join (
        values
        {%- for column, id_type in source.identifiers.items() %}
        ({{ loop.index }}, '{{ id_type }}'){{ "," if not loop.last }}
        {%- endfor %}
    ) as id_columns (column_index, id_type)
    where 1 = 1{% if since is not none %} and {{ source.received_at }} >= {{ since }}{% endif %}
),

{% endfor %}
unioned as (
    {% for source in upstream.identity_mention_sources() %}
    select * from {{ source.source_model }}_mentions
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

{# One row per (message, identifier), carrying the earliest of each field over its copies. A
    window over the partition, not a group by: fed by a union of many sources, DuckDB's hash
    aggregate ran out of memory instead of spilling (a 36M-event first build under a 3 GB limit;
    the same rows at 10M under 600 MB), while the window's partitioned sort spills to disk. #}
ranked as (
    select
        message_id,
        id_type,
        id_value,
        min(source_rank) over mention as first_source_rank,
        min(occurred_at) over mention as occurred_at,
        min(received_at) over mention as received_at,
        {#- Spark numbers rows only in an order; any order will do, every row of a partition
            carries the same earliest values. #}
        row_number() over (
            partition by message_id, id_type, id_value order by source_rank
        ) as mention_number
    from unioned
    where id_value is not null
    window mention as (partition by message_id, id_type, id_value)
),

collapsed as (
    select
        message_id,
        id_type,
        id_value,
        case first_source_rank
            {%- for name in source_names %}
            when {{ loop.index }} then '{{ name }}'
            {%- endfor %}
        end as source_model,
        occurred_at,
        received_at,
        {{ upstream.run_recorded_at() }} as loaded_at
    from ranked
    where mention_number = 1
),

{% if is_incremental() %}
new_or_changed as (
    select collapsed.*
    from collapsed
    left join {{ this }} as held
        on collapsed.message_id = held.message_id
        and collapsed.id_type = held.id_type
        and collapsed.id_value = held.id_value
    where
        held.message_id is null
        or collapsed.source_model <> held.source_model
        or collapsed.occurred_at is distinct from held.occurred_at
        or collapsed.received_at is distinct from held.received_at
)
{% else %}
new_or_changed as (
    select * from collapsed
)
{% endif %}

select * from new_or_changed
