{#
    Every identifier value kept out of linking, with the reason and the counts behind it, so a
    wrongly excluded value can be spotted and whitelisted by changing the rule that caught it.
#}

with

identifiers as (
    select * from {{ ref('int_identifiers_validated') }}
),

excluded as (
    select
        id_type,
        id_value,
        exclusion_reason,
        mention_count,
        {%- for column in upstream.hub_partner_columns() %}
        {{ column }},
        {%- endfor %}
        distinct_first_names,
        distinct_last_names,
        distinct_phones,
        distinct_emails,
        first_seen_at,
        last_seen_at
    from identifiers
    where exclusion_reason is not null
)

select * from excluded
