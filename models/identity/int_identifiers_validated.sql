{#
    Every identifier value seen, with when and how often, and why it must stay out of linking
    (exclusion_reason NULL means it may link). Three layers, first match wins:
    1. validation: email syntax, reserved domains, E.164 phones (NANP area/exchange rules);
    2. the blocklist seed (exact or regex, per id_type or '*'), read when the model runs and
       written into the query as constants (macros/identity/blocklist.sql);
    3. the hub guard: a value co-mentioned with more distinct user_ids / anonymous_ids than
       var upstream__identity_hub_limits allows is shared or hard-coded, not a person's; so is an
       email or phone that arrives with more distinct first names, last names, phones or emails
       than var upstream__identity_trait_limits allows (a placeholder no list names).

    Incremental: the counts are sums over every mention, so a run recomputes only the identifiers
    whose row can have changed: those in mentions loaded since this table's loaded_at; those
    whose stored reason no longer follows from the rules (an edited blocklist seed or var); and
    the co-mentioned partners of a user_id / anonymous_id that was just screened in or out or
    forgotten, as their distinct counts include it. Screening (validation and the blocklist)
    runs on new identifiers only, unless the rules changed since the stored rows were screened:
    rules_version fingerprints the blocklist seed and the vars behind the checks, and a new one
    screens every identifier again (the regexes per identifier are the costly part).
#}
{{ config(
    materialized='incremental',
    unique_key=['id_type', 'id_value'],
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    post_hook="{{ upstream.forget_identifiers(this) }}",
) }}
{#- Identifiers forgotten by a deletion request never link again (read as the last build left it:
    privacy_forgotten_identifiers is downstream of the graph, so it cannot be a ref here). -#}
{%- set forgotten = upstream.previous_relation('privacy_forgotten_identifiers') %}
{#- The local part allows what real addresses use, the apostrophe of o'brien@ among it (chr(39):
    a quote escaped inside the literal is written differently on each engine). -#}
{%- set email_pattern = "('^[a-z0-9._%+' || chr(39) || '!#$&*/=?^~-]+@([a-z0-9-]+[.])+[a-z]{2,}$')" %}
{%- set phone_pattern = "'^[+][1-9][0-9]{7,14}$'" %}
{#- The identifier types the hub guard counts as partners (user_id, anonymous_id, and any type a
    limit in upstream__identity_hub_limits names, a declared crm_id say). -#}
{%- set partner_types = upstream.hub_partner_types() %}
{%- set ns = namespace(complete=is_incremental()) %}
{%- for column in ['rules_version', 'distinct_first_names'] + upstream.hub_partner_columns() %}
{%- if ns.complete and not upstream.relation_has_column(this, column) %}
{%- set ns.complete = false %}
{%- endif %}
{%- endfor %}
{#- A table stored before one of those columns existed is recomputed whole, once. -#}
{%- set incremental = ns.complete %}
{%- set rule_vars = [
    email_pattern, phone_pattern, var('upstream__identity_reserved_email_domains'),
    var('upstream__identity_hub_limits'), var('upstream__identity_trait_limits', {}),
] %}

{#- Read where used, not as one CTE: DuckDB materializes a CTE read more than once, which here
    copies every mention (15M rows at 10M events) before any filter applies. -#}
{%- set mentions = ref('int_identifier_mentions') %}
{#- Unqualified, so the unit test can override it (see the macro). -#}
{%- set blocklist_rule_rows = blocklist_rules(ref('identity_blocklist')) %}

{%- set identifier_aggregates -%}
select
    id_type,
    id_value,
    min(occurred_at) as first_seen_at,
    max(occurred_at) as last_seen_at,
    min(received_at) as first_received_at,
    count(*) as mention_count,
    max(loaded_at) as loaded_at
{%- endset %}

with

{# Empty without a previous build. #}
forgotten_keys as (
    {%- if forgotten is not none %}
    select forgotten.node_key from {{ forgotten }} as forgotten
    {%- else %}
    select no_rows.node_key from (select cast(null as {{ dbt.type_bigint() }}) as node_key) as no_rows
    where no_rows.node_key is not null
    {%- endif %}
),

blocklist as (
    select
        lower(id_type) as id_type,
        lower(match_type) as match_type,
        pattern
    from {{ ref('identity_blocklist') }}
),

rules as (
    select
        '{{ local_md5(tojson(rule_vars)) }}:'
        || cast(count(*) as {{ dbt.type_string() }}) || ':'
        || cast(
            sum({{ upstream.stable_key("id_type || '|' || match_type || '|' || coalesce(pattern, '')") }} % 1000000007)
            as {{ dbt.type_string() }}
        ) as rules_version
    from blocklist
),

{% if incremental %}
stored as (
    select * from {{ this }}
),

batch_keys as (
    select distinct
        mentions.id_type,
        mentions.id_value
    from {{ mentions }} as mentions
    where mentions.loaded_at > (select max(stored.loaded_at) from stored)
),

{# Every stored identifier when the rules changed; otherwise only the new ones. #}
screening_keys as (
    select
        stored.id_type,
        stored.id_value
    from stored
    inner join rules on stored.rules_version <> rules.rules_version
    union
    select
        id_type,
        id_value
    from batch_keys
),
{% else %}
{# A full build aggregates the mentions once: the keys to screen are the identifiers' keys. #}
all_identifiers as (
    {{ identifier_aggregates | indent(4) }}
    from {{ mentions }}
    group by id_type, id_value
),

screening_keys as (
    select
        id_type,
        id_value
    from all_identifiers
),
{% endif %}

remembered as (
    select * from screening_keys
    where
        {{ upstream.stable_key("id_type || ':' || id_value") }}
        not in (select forgotten_keys.node_key from forgotten_keys)
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
            {#- x@x.com, shop@shop.com, email@email.com: a form filled with one word twice. #}
            when id_type = 'email'
                and {{ dbt.split_part('id_value', "'@'", 1) }} = {{ dbt.split_part('email_domain', "'.'", 1) }}
                then 'placeholder_email'
            when id_type = 'phone' and not {{ upstream.regexp_like('id_value', phone_pattern) }}
                then 'invalid_phone'
            when id_type = 'phone' and {{ upstream.is_invalid_nanp_phone('id_value') }} then 'invalid_phone'
        end as invalid_reason
    from with_email_domain
),

{# The identifiers screened by this run, with their reason under today's rules (no counts needed). #}
screened as (
    select
        id_type,
        id_value,
        coalesce(
            invalid_reason,
            case
                when {{ upstream.blocklist_condition(blocklist_rule_rows, 'id_type', 'id_value') | indent(20) }}
                    then 'blocklisted'
            end
        ) as screen_reason
    from validated
),

{% if incremental %}
{# Stored rows screened again: does their reason still follow from the rules? #}
restated as (
    select
        stored.id_type,
        stored.id_value,
        stored.exclusion_reason as stored_reason,
        screened.screen_reason,
        coalesce(screened.screen_reason, {{ upstream.identity_hub_reason('stored') }})
            as current_reason,
        stored.exclusion_reason is null
        or stored.exclusion_reason like 'hub%' as was_screened_in
    from stored
    inner join screened
        on stored.id_type = screened.id_type
        and stored.id_value = screened.id_value
),

stale_keys as (
    select
        id_type,
        id_value
    from restated
    where coalesce(current_reason, '') <> coalesce(stored_reason, '')
),

{# user_ids and anonymous_ids that stopped or started counting for their partners. #}
partner_changes as (
    select
        id_type,
        id_value
    from restated
    where
        {{ upstream.is_in_text_list('id_type', partner_types) }}
        and was_screened_in <> (screen_reason is null)
    union
    select
        stored.id_type,
        stored.id_value
    from stored
    inner join forgotten_keys
        on {{ upstream.stable_key("stored.id_type || ':' || stored.id_value") }} = forgotten_keys.node_key
    where {{ upstream.is_in_text_list('stored.id_type', partner_types) }}
),

partners_of_changes as (
    select distinct
        mentioned.id_type,
        mentioned.id_value
    from {{ mentions }} as changed
    inner join partner_changes
        on changed.id_type = partner_changes.id_type
        and changed.id_value = partner_changes.id_value
    inner join {{ mentions }} as mentioned
        on changed.message_id = mentioned.message_id
),

touched_keys as (
    select * from batch_keys
    union
    select * from stale_keys
    union
    select * from partners_of_changes
),

touched_mentions as (
    select mentions.*
    from {{ mentions }} as mentions
    inner join touched_keys
        on mentions.id_type = touched_keys.id_type
        and mentions.id_value = touched_keys.id_value
),

partner_mentions as (
    select mentions.*
    from {{ mentions }} as mentions
    where mentions.message_id in (select touched_mentions.message_id from touched_mentions)
),

partner_keys as (
    select distinct
        id_type,
        id_value
    from partner_mentions
),

{# The screen reason of every identifier in those messages: this run's, else the one stored with
   its row. Limited to those messages: all stored rows would be a join of millions. #}
screen_status as (
    select * from screened
    union all
    select
        stored.id_type,
        stored.id_value,
        case when stored.exclusion_reason not like 'hub%' then stored.exclusion_reason end as screen_reason
    from stored
    inner join partner_keys
        on stored.id_type = partner_keys.id_type
        and stored.id_value = partner_keys.id_value
    left join screened
        on stored.id_type = screened.id_type
        and stored.id_value = screened.id_value
    where
        screened.id_value is null
        and {{ upstream.stable_key("stored.id_type || ':' || stored.id_value") }}
        not in (select forgotten_keys.node_key from forgotten_keys)
),
{% else %}
screen_status as (
    select * from screened
),

touched_mentions as (
    select * from {{ mentions }}
),

partner_mentions as (
    select * from {{ mentions }}
),
{% endif %}

identifiers as (
    {%- if incremental %}
    {{ identifier_aggregates | indent(4) }}
    from touched_mentions
    group by id_type, id_value
    {%- else %}
    select * from all_identifiers
    {%- endif %}
),

{# How many different people stand behind an email or phone: the distinct first names, last names
   and phones (of an email) or emails (of a phone) on the identify calls that carry it. A value
   typed by many guests to skip a field has many, whatever its form; a person has one or two. #}
trait_spread as (
    select
        mentioned.id_type,
        mentioned.id_value,
        count(distinct lower({{ upstream.trim_whitespace('identify_calls.first_name') }})) as distinct_first_names,
        count(distinct lower({{ upstream.trim_whitespace('identify_calls.last_name') }})) as distinct_last_names,
        count(distinct case when mentioned.id_type = 'email' then identify_calls.phone end) as distinct_phones,
        count(distinct case when mentioned.id_type = 'phone' then identify_calls.email end) as distinct_emails
    from touched_mentions as mentioned
    inner join {{ ref('stg_segment__identifies') }} as identify_calls
        on mentioned.message_id = identify_calls.message_id
    where mentioned.id_type in ('email', 'phone')
    group by mentioned.id_type, mentioned.id_value
),

{# Partners count only in messages of touched identifiers, and only while screened in. #}
screened_partners as (
    select partner_mentions.*
    from partner_mentions
    inner join screen_status
        on partner_mentions.id_type = screen_status.id_type
        and partner_mentions.id_value = screen_status.id_value
    where
        screen_status.screen_reason is null
        and {{ upstream.is_in_text_list('partner_mentions.id_type', partner_types) }}
),

co_mentions as (
    select
        mentioned.id_type,
        mentioned.id_value,
        {%- for partner_type in partner_types %}
        count(distinct case when partner.id_type = '{{ partner_type }}' then partner.id_value end)
            as distinct_{{ partner_type }}s,
        {%- endfor %}
        count(*) as partner_mention_count
    from touched_mentions as mentioned
    inner join screened_partners as partner
        on mentioned.message_id = partner.message_id
        and mentioned.id_type <> partner.id_type
    group by mentioned.id_type, mentioned.id_value
),

counted as (
    select
        screen_status.id_type,
        screen_status.id_value,
        identifiers.first_seen_at,
        identifiers.last_seen_at,
        identifiers.first_received_at,
        identifiers.mention_count,
        {%- for partner_type in partner_types %}
        coalesce(co_mentions.distinct_{{ partner_type }}s, 0) as distinct_{{ partner_type }}s,
        {%- endfor %}
        coalesce(trait_spread.distinct_first_names, 0) as distinct_first_names,
        coalesce(trait_spread.distinct_last_names, 0) as distinct_last_names,
        coalesce(trait_spread.distinct_phones, 0) as distinct_phones,
        coalesce(trait_spread.distinct_emails, 0) as distinct_emails,
        screen_status.screen_reason,
        identifiers.loaded_at
    from identifiers
    inner join screen_status
        on identifiers.id_type = screen_status.id_type
        and identifiers.id_value = screen_status.id_value
    left join co_mentions
        on identifiers.id_type = co_mentions.id_type
        and identifiers.id_value = co_mentions.id_value
    left join trait_spread
        on identifiers.id_type = trait_spread.id_type
        and identifiers.id_value = trait_spread.id_value
),

guarded as (
    select
        counted.id_type,
        counted.id_value,
        counted.first_seen_at,
        counted.last_seen_at,
        counted.first_received_at,
        counted.mention_count,
        {%- for partner_type in partner_types %}
        counted.distinct_{{ partner_type }}s,
        {%- endfor %}
        counted.distinct_first_names,
        counted.distinct_last_names,
        counted.distinct_phones,
        counted.distinct_emails,
        coalesce(counted.screen_reason, {{ upstream.identity_hub_reason('counted') }}) as exclusion_reason,
        counted.loaded_at,
        rules.rules_version
    from counted
    cross join rules
)

select * from guarded
