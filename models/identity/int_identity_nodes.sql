{#
    Linkable identifiers. node_key is a stable hash of the identifier, so the stored clusters of
    earlier runs join back to it. Age decides names: the identifier received first (then the
    stronger type, then the key) is a cluster's oldest and names its profile, which keeps
    profile ids stable as new data arrives.
#}

with

identifiers as (
    select * from {{ ref('int_identifiers_validated') }}
    where exclusion_reason is null
),

keyed as (
    select
        {{ upstream.stable_key("id_type || ':' || id_value") }} as node_key,
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
