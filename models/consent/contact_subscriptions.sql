{#
    Subscription state of every contact vector (each email address and phone number in the
    identity graph): subscribed / unsubscribed from the latest email_marketing (for an email) or
    sms_marketing (for a phone) statement that names that address or number; never when none
    does. A person can unsubscribe one address and keep another. Statements after as_of do not
    count.

    Incremental: a run replaces every row of the profiles whose subscriptions may have
    changed (macro consent_changed_profiles; a moved identifier covers new, moved and gone
    addresses). Each of those profiles also gets a placeholder row, so one left without any
    address loses its rows too; the post-hook deletes the placeholders.
#}
{{ config(
    materialized='incremental',
    unique_key='profile_id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    post_hook="{{ upstream.delete_rows_hook(this, 'contact_value is null or computed_as_of is null') }}",
) }}
-- depends_on: {{ ref('int_identity_reassignments') }}
{%- set as_of = upstream.as_of_timestamp() -%}
{#- A table stored before computed_as_of existed is built whole, once; its old rows gain a NULL
    computed_as_of, and those no new row replaces are deleted by the post-hook. -#}
{%- set incremental = is_incremental() and upstream.relation_has_column(this, 'computed_as_of') %}

with

{% if incremental %}
previous_run as (
    select
        max(loaded_at) as loaded_at,
        max(computed_as_of) as as_of_at
    from {{ this }}
),

scoped_profiles as (
    {{ upstream.consent_changed_profiles('previous_run', as_of, ['email_marketing', 'sms_marketing']) | indent(4) }}
),
{% else %}
scoped_profiles as (
    select profile_id from {{ ref('id_graph') }}
),
{% endif %}

vectors as (
    select
        profile_id,
        case id_type when 'email' then 'email' else 'sms' end as channel,
        id_type as contact_type,
        id_value as contact_value
    from {{ ref('id_graph') }}
    where
        id_type in ('email', 'phone')
        and profile_id in (select scoped_profiles.profile_id from scoped_profiles)
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
    where
        category in ('email_marketing', 'sms_marketing')
        and stated_at <= {{ as_of }}
        and profile_id in (select vectors.profile_id from vectors)
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
),

{% if incremental %}
replaced as (
    select * from subscriptions
    union all
    select
        scoped_profiles.profile_id,
        cast(null as {{ dbt.type_string() }}) as channel,
        cast(null as {{ dbt.type_string() }}) as contact_type,
        cast(null as {{ dbt.type_string() }}) as contact_value,
        cast(null as {{ dbt.type_string() }}) as subscription_status,
        cast(null as {{ dbt.type_timestamp() }}) as status_changed_at
    from scoped_profiles
    where scoped_profiles.profile_id is not null
)
{% else %}
replaced as (
    select * from subscriptions
)
{% endif %}

select
    *,
    {{ as_of }} as computed_as_of,
    {{ upstream.run_recorded_at() }} as loaded_at
from replaced
