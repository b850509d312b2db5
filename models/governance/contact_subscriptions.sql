{#
    Subscription state of every contact vector (each email address and phone number in the
    identity graph): subscribed / unsubscribed from the latest email_marketing (for an email) or
    sms_marketing (for a phone) statement that names that address or number; never when none
    does. A person can unsubscribe one address and keep another. Statements after as_of do not
    count.
#}
{%- set as_of = upstream.as_of_timestamp() -%}

with

vectors as (
    select
        profile_id,
        case id_type when 'email' then 'email' else 'sms' end as channel,
        id_type as contact_type,
        id_value as contact_value
    from {{ ref('id_graph') }}
    where id_type in ('email', 'phone')
),

statements as (
    select
        profile_id,
        case category when 'email_marketing' then 'email' else 'sms' end as channel,
        coalesce(
            case when category = 'email_marketing' then email end,
            case when category = 'sms_marketing' then phone end
        ) as contact_value,
        is_granted,
        stated_at
    from {{ ref('int_consent_statements') }}
    where category in ('email_marketing', 'sms_marketing') and stated_at <= {{ as_of }}
),

{# Grouping rather than a row_number() window, as in profile_consent: the latest instant per
    contact, then whether every statement at that instant grants (a denial wins a tie). #}
latest_at as (
    select
        profile_id,
        channel,
        contact_value,
        max(stated_at) as stated_at
    from statements
    where contact_value is not null
    group by profile_id, channel, contact_value
),

latest as (
    select
        statements.profile_id,
        statements.channel,
        statements.contact_value,
        statements.stated_at,
        min(case when statements.is_granted then 1 else 0 end) = 1 as is_granted
    from statements
    inner join latest_at
        on statements.profile_id = latest_at.profile_id
        and statements.channel = latest_at.channel
        and statements.contact_value = latest_at.contact_value
        and statements.stated_at = latest_at.stated_at
    group by statements.profile_id, statements.channel, statements.contact_value, statements.stated_at
),

subscriptions as (
    select
        vectors.profile_id,
        vectors.channel,
        vectors.contact_type,
        vectors.contact_value,
        case
            when latest.is_granted then 'subscribed'
            when latest.is_granted = false then 'unsubscribed'
            else 'never'
        end as subscription_status,
        latest.stated_at as status_changed_at
    from vectors
    left join latest
        on vectors.profile_id = latest.profile_id
        and vectors.channel = latest.channel
        and vectors.contact_value = latest.contact_value
)

select * from subscriptions
