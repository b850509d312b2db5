{#
    Every identifier value seen, with when and how often, and why it must stay out of linking
    (exclusion_reason NULL means it may link). Three layers, first match wins:
    1. validation: email syntax, reserved domains, E.164 phones (NANP area/exchange rules);
    2. the blocklist seed (exact or regex, per id_type or '*');
    3. the hub guard: a value co-mentioned with more distinct user_ids / anonymous_ids than
       var upstream__identity_hub_limits allows is shared or hard-coded, not a person's.
#}
{#- Identifiers forgotten by a deletion request never link again (read as the last build left it:
    privacy_forgotten_identifiers is downstream of the graph, so it cannot be a ref here). -#}
{%- set forgotten = upstream.previous_relation('privacy_forgotten_identifiers') %}
{%- set email_pattern = "'^[a-z0-9._%+-]+@([a-z0-9-]+[.])+[a-z]{2,}$'" %}
{%- set phone_pattern = "'^[+][1-9][0-9]{7,14}$'" %}

with

mentions as (
    select * from {{ ref('int_identifier_mentions') }}
),

blocklist as (
    select
        lower(id_type) as id_type,
        lower(match_type) as match_type,
        pattern
    from {{ ref('identity_blocklist') }}
),

identifiers as (
    select
        id_type,
        id_value,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at,
        min(received_at) as first_received_at,
        count(*) as mention_count
    from mentions
    group by id_type, id_value
),

remembered as (
    select * from identifiers
    {%- if forgotten is not none %}
    where {{ upstream.stable_key("id_type || ':' || id_value") }} not in (
        select forgotten.node_key from {{ forgotten }} as forgotten
    )
    {%- endif %}
),

with_email_domain as (
    select
        *,
        case when id_type = 'email' then lower(split_part(id_value, '@', 2)) end as email_domain
    from remembered
),

validated as (
    select
        *,
        case
            when id_type = 'email' and not {{ upstream.regexp_like('id_value', email_pattern) }}
                then 'invalid_email'
            when id_type = 'email' and id_value like '%..%' then 'invalid_email'
            when id_type = 'email' and {{ upstream.is_reserved_email_domain('email_domain') }}
                then 'reserved_email_domain'
            when id_type = 'phone' and not {{ upstream.regexp_like('id_value', phone_pattern) }}
                then 'invalid_phone'
            when id_type = 'phone' and {{ upstream.is_invalid_nanp_phone('id_value') }} then 'invalid_phone'
        end as invalid_reason
    from with_email_domain
),

blocklisted as (
    select distinct
        validated.id_type,
        validated.id_value
    from validated
    inner join blocklist
        on (validated.id_type = blocklist.id_type or blocklist.id_type = '*')
        and (
            (blocklist.match_type = 'exact' and lower(validated.id_value) = lower(blocklist.pattern))
            or (
                blocklist.match_type = 'regex'
                and {{ upstream.regexp_like('validated.id_value', 'blocklist.pattern') }}
            )
        )
    where validated.invalid_reason is null
),

screened as (
    select
        validated.id_type,
        validated.id_value,
        validated.first_seen_at,
        validated.last_seen_at,
        validated.first_received_at,
        validated.mention_count,
        coalesce(
            validated.invalid_reason,
            case when blocklisted.id_value is not null then 'blocklisted' end
        ) as screen_reason
    from validated
    left join blocklisted
        on validated.id_type = blocklisted.id_type
        and validated.id_value = blocklisted.id_value
),

screened_mentions as (
    select mentions.*
    from mentions
    inner join screened
        on mentions.id_type = screened.id_type
        and mentions.id_value = screened.id_value
    where screened.screen_reason is null
),

co_mentions as (
    select
        mentioned.id_type,
        mentioned.id_value,
        count(distinct case when partner.id_type = 'user_id' then partner.id_value end) as distinct_user_ids,
        count(distinct case when partner.id_type = 'anonymous_id' then partner.id_value end)
            as distinct_anonymous_ids
    from mentions as mentioned
    inner join screened_mentions as partner
        on mentioned.message_id = partner.message_id
        and partner.id_type in ('user_id', 'anonymous_id')
        and mentioned.id_type <> partner.id_type
    group by mentioned.id_type, mentioned.id_value
),

guarded as (
    select
        screened.id_type,
        screened.id_value,
        screened.first_seen_at,
        screened.last_seen_at,
        screened.first_received_at,
        screened.mention_count,
        coalesce(co_mentions.distinct_user_ids, 0) as distinct_user_ids,
        coalesce(co_mentions.distinct_anonymous_ids, 0) as distinct_anonymous_ids,
        coalesce(
            screened.screen_reason,
            case
                {%- for id_type, limits in var('upstream__identity_hub_limits').items() %}
                {%- for partner_type, limit in limits.items() %}
                when screened.id_type = '{{ id_type }}'
                    and co_mentions.distinct_{{ partner_type }}s > {{ limit }}
                    then 'hub_{{ partner_type }}s'
                {%- endfor %}
                {%- endfor %}
            end
        ) as exclusion_reason
    from screened
    left join co_mentions
        on screened.id_type = co_mentions.id_type
        and screened.id_value = co_mentions.id_value
)

select * from guarded
