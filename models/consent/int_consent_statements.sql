{#
    Every consent statement we hold, on the profile it is about (profile_consent and
    contact_subscriptions apply as_of when they read it):
      segment_event    Segment Consent preferences on an event (the event's profile; the email /
                       phone the event carried are the contact it speaks for);
      consent_records  a CMP export row keyed by an identifier (found through id_graph; an id_type
                       of email or phone is also the contact it speaks for).
    Statements about identifiers the graph does not know have no profile to apply to.
    statement_id is the message id or the record id ('' for every export row without one: they
    share that key, and are replaced together).

    Incremental: a run replaces the statements of the messages int_messages_attributed
    decided again (new mentions, or an identifier whose profile changed) and of the CMP records
    that changed (a row added, altered, gone from the export, or on another profile). Each
    replaced key also gets a placeholder row with a NULL profile, so a statement whose message or
    record lost its profile, or disappeared, is deleted with the placeholder by the post-hook
    rather than kept with a stale profile and contact.
    A changed record also leaves a tombstone (category NULL) on each profile it no longer applies
    to: the consent models decide again the profiles of rows written since their last run, and a
    deleted row would not name its profile. Readers skip tombstones (they filter on stated_at
    and category); one stays until its key changes again or its profile leaves the graph, so a
    consent model that skipped runs still sees it. A full build writes none.
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

record_statements as (
    {{ upstream.consent_record_statements('graph') | indent(4) }}
),

{% if incremental %}
recomputed_messages as (
    {{ upstream.listed_reattributed_messages('select max(stored.loaded_at) from ' ~ this ~ ' as stored') | indent(4) }}
),

-- The preferences of those messages only, each table joined to them before anything else.
scoped_preferences as (
    {{ upstream.consent_preferences('recomputed_messages') | indent(4) }}
),

-- The export's statements and the stored ones in the same columns, for the set comparison.
current_records as (
    select
        statement_id,
        profile_id,
        category,
        is_granted,
        stated_at,
        email,
        phone
    from record_statements
),

stored_records as (
    select
        stored.statement_id,
        stored.profile_id,
        stored.category,
        stored.is_granted,
        stored.stated_at,
        stored.email,
        stored.phone
    from {{ this }} as stored
    where stored.statement_source = 'consent_records'
),

live_stored_records as (
    select * from stored_records where category is not null
),

-- Keys whose rows differ from the stored ones in either direction, and keys holding a tombstone
-- of a profile the graph no longer has (it has nothing left to decide again).
changed_record_keys as (
    select changed.statement_id
    from (select * from current_records except select * from live_stored_records) as changed
    union
    select gone.statement_id
    from (select * from live_stored_records except select * from current_records) as gone
    union
    select stored_records.statement_id
    from stored_records
    where
        stored_records.category is null
        and not exists (select 1 from graph where graph.profile_id = stored_records.profile_id)
),

record_tombstones as (
    select distinct
        'consent_records' as statement_source,
        stored_records.statement_id,
        stored_records.profile_id
    from stored_records
    inner join changed_record_keys on stored_records.statement_id = changed_record_keys.statement_id
    where
        exists (select 1 from graph where graph.profile_id = stored_records.profile_id)
        and not exists (
            select 1 from current_records
            where
                current_records.statement_id = stored_records.statement_id
                and current_records.profile_id = stored_records.profile_id
        )
),

replaced_keys as (
    select
        'segment_event' as statement_source,
        message_id as statement_id
    from recomputed_messages
    union all
    select
        'consent_records' as statement_source,
        statement_id
    from changed_record_keys
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

statements as (
    select * from event_statements
    {%- if not incremental %}
    union all
    select * from record_statements
    {%- else %}
    union all
    select record_statements.*
    from record_statements
    inner join changed_record_keys on record_statements.statement_id = changed_record_keys.statement_id
    -- Tombstones keep their profile; placeholders have none, and the post-hook deletes them.
    union all
    select
        markers.statement_source,
        markers.statement_id,
        markers.profile_id,
        cast(null as {{ dbt.type_string() }}) as category,
        cast(null as {{ dbt.type_boolean() }}) as is_granted,
        cast(null as {{ dbt.type_timestamp() }}) as stated_at,
        cast(null as {{ dbt.type_string() }}) as email,
        cast(null as {{ dbt.type_string() }}) as phone
    from (
        select * from record_tombstones
        union all
        select
            replaced_keys.statement_source,
            replaced_keys.statement_id,
            cast(null as {{ dbt.type_string() }}) as profile_id
        from replaced_keys
    ) as markers
    {%- endif %}
)

select
    *,
    {{ upstream.run_recorded_at() }} as loaded_at
from statements
