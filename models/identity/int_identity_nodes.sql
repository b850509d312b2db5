{#
    Linkable identifiers with an integer key in order of first arrival (received_at), then
    priority. Lower keys are older: the smallest key of a cluster names its profile, which keeps
    profile ids stable as new data arrives (new identifiers always get later arrivals).
#}

with

identifiers as (
    select * from {{ ref('int_identifiers_validated') }}
    where exclusion_reason is null
),

keyed as (
    select
        row_number() over (
            order by first_received_at, {{ upstream.identity_priority('id_type') }}, id_type, id_value
        ) as node_key,
        id_type,
        id_value,
        {{ upstream.identity_priority('id_type') }} as id_priority,
        {% set anchor = upstream.identity_anchor_type() -%}
        {%- if anchor -%}
        id_type = '{{ anchor }}'
        {%- else -%}
        false
        {%- endif %} as is_anchor,
        first_seen_at,
        last_seen_at,
        first_received_at,
        mention_count
    from identifiers
)

select * from keyed
