{#
    May this profile be sent to this destination? One row per profile and destination of var
    upstream__destinations; blocked_reason NULL means yes, otherwise the first rule that blocks:
      suppressed              a suppress request (privacy_suppressed_profiles);
      no_consent:<category>   a category the destination needs is not granted (profile_consent);
      unreachable             no email / phone the destination needs;
      unsubscribed:<channel>  the address or number we would use is unsubscribed.
#}
{{ config(materialized='table') }}
{%- set destinations = var('upstream__destinations') -%}

with

profiles as (
    select
        profile_id,
        email,
        phone
    from {{ ref('profiles') }}
),

suppressed as (
    select profile_id from {{ ref('privacy_suppressed_profiles') }}
),

consent as (
    select
        profile_id,
        {%- for category in var('upstream__consent_categories') %}
        max(case when category = '{{ category }}' and is_granted then 1 else 0 end) as granted_{{ category }},
        {%- endfor %}
        count(*) as categories
    from {{ ref('profile_consent') }}
    group by profile_id
),

subscriptions as (
    select
        profile_id,
        contact_value,
        subscription_status
    from {{ ref('contact_subscriptions') }}
),

destinations as (
    {%- for name, settings in destinations.items() %}
    select '{{ name }}' as destination
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

checked as (
    select
        profiles.profile_id,
        destinations.destination,
        case
            when suppressed.profile_id is not null then 'suppressed'
            {%- for name, settings in destinations.items() %}
            {%- for category in settings.get('consent', []) %}
            when destinations.destination = '{{ name }}' and coalesce(consent.granted_{{ category }}, 0) = 0
                then 'no_consent:{{ category }}'
            {%- endfor %}
            {%- set contact = settings.get('contact', 'none') %}
            {%- if contact == 'email' %}
            when destinations.destination = '{{ name }}' and profiles.email is null then 'unreachable'
            when destinations.destination = '{{ name }}' and email_subscriptions.subscription_status = 'unsubscribed'
                then 'unsubscribed:email'
            {%- elif contact == 'phone' %}
            when destinations.destination = '{{ name }}' and profiles.phone is null then 'unreachable'
            when destinations.destination = '{{ name }}' and phone_subscriptions.subscription_status = 'unsubscribed'
                then 'unsubscribed:sms'
            {%- elif contact == 'email_or_phone' %}
            when destinations.destination = '{{ name }}' and profiles.email is null and profiles.phone is null
                then 'unreachable'
            {%- endif %}
            {%- endfor %}
        end as blocked_reason
    from profiles
    cross join destinations
    left join suppressed on profiles.profile_id = suppressed.profile_id
    left join consent on profiles.profile_id = consent.profile_id
    left join subscriptions as email_subscriptions
        on profiles.profile_id = email_subscriptions.profile_id
        and profiles.email = email_subscriptions.contact_value
    left join subscriptions as phone_subscriptions
        on profiles.profile_id = phone_subscriptions.profile_id
        and profiles.phone = phone_subscriptions.contact_value
)

select * from checked
