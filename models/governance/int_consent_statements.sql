{#
    Every consent statement we hold, on the profile it is about (profile_consent and
    contact_subscriptions apply as_of when they read it):
      segment_event    Segment Consent preferences on an event (the event's profile; the email /
                       phone the event carried are the contact it speaks for);
      consent_records  a CMP export row keyed by an identifier (found through id_graph; an id_type
                       of email or phone is also the contact it speaks for).
    Statements about identifiers the graph does not know have no profile to apply to.
    statement_id is the message id or the record id ('' for an export row without one: every
    record statement is replaced on each run, so it needs no identity of its own).

    Incremental (issue 10): a run replaces the statements of the messages int_messages_attributed
    decided again (new mentions, or an identifier whose profile changed) and every record
    statement (the export is small). Each replaced key also gets a placeholder row with a NULL
    profile, so a statement whose message or record lost its profile, or disappeared, is deleted
    with the placeholder by the post-hook rather than kept with a stale profile and contact.
#}
{{ config(
    materialized='incremental',
    unique_key=['statement_source', 'statement_id'],
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    post_hook="{{ upstream.delete_rows_hook(this, 'profile_id is null or statement_id is null') }}",
) }}
-- depends_on: {{ ref('int_identity_reassignments') }}
-- depends_on: {{ ref('int_identifier_mentions') }}
{%- for table_name in upstream.consent_tables() %}
-- depends_on: {{ ref('base_segment__' ~ table_name) }}
{%- endfor %}
{#- A table stored before statement_id existed is built whole, once; its old rows gain a NULL
    statement_id, no key can replace them, and the post-hook deletes them. -#}
{%- set incremental = is_incremental() and upstream.relation_has_column(this, 'statement_id') %}

with

graph as (
    select * from {{ ref('id_graph') }}
),

{% if incremental %}
recomputed_messages as (
    {{ upstream.listed_reattributed_messages('select max(stored.loaded_at) from ' ~ this ~ ' as stored') | indent(4) }}
),

-- The preferences of those messages only, each table joined to them before anything else.
scoped_preferences as (
    {{ upstream.consent_preferences('recomputed_messages') | indent(4) }}
),

replaced_keys as (
    select
        'segment_event' as statement_source,
        message_id as statement_id
    from recomputed_messages
    union all
    select
        stored.statement_source,
        stored.statement_id
    from {{ this }} as stored
    where stored.statement_source = 'consent_records'
),
{% else %}
scoped_preferences as (
    select * from {{ ref('stg_segment__consent_preferences') }}
),
{% endif %}

event_statements as (
    select
        'segment_event' as statement_source,
        scoped_preferences.message_id as statement_id,
        attributed.profile_id,
        scoped_preferences.category,
        scoped_preferences.is_granted,
        scoped_preferences.occurred_at as stated_at,
        scoped_preferences.email,
        scoped_preferences.phone
    from scoped_preferences
    inner join {{ ref('int_messages_attributed') }} as attributed
        on scoped_preferences.message_id = attributed.message_id
),

record_statements as (
    select
        'consent_records' as statement_source,
        coalesce(records.record_id, '') as statement_id,
        graph.profile_id,
        records.category,
        records.is_granted,
        records.recorded_at as stated_at,
        case when records.id_type = 'email' then records.id_value end as email,
        case when records.id_type = 'phone' then records.id_value end as phone
    from {{ ref('stg_governance__consent_records') }} as records
    inner join graph
        on records.id_type = graph.id_type
        and records.id_value = graph.id_value
),

statements as (
    select * from event_statements
    union all
    select * from record_statements
    {%- if incremental %}
    union all
    select
        replaced_keys.statement_source,
        replaced_keys.statement_id,
        cast(null as {{ dbt.type_string() }}) as profile_id,
        cast(null as {{ dbt.type_string() }}) as category,
        cast(null as {{ dbt.type_boolean() }}) as is_granted,
        cast(null as {{ dbt.type_timestamp() }}) as stated_at,
        cast(null as {{ dbt.type_string() }}) as email,
        cast(null as {{ dbt.type_string() }}) as phone
    from replaced_keys
    {%- endif %}
)

select
    *,
    {{ upstream.run_recorded_at() }} as loaded_at
from statements
