{#
    Every consent statement we hold, on the profile it is about, up to as_of:
      segment_event    Segment Consent preferences on an event (the event's profile; the email /
                       phone the event carried are the contact it speaks for);
      consent_records  a CMP export row keyed by an identifier (found through id_graph; an id_type
                       of email or phone is also the contact it speaks for).
    Statements about identifiers the graph does not know have no profile to apply to.
#}
{%- set as_of = upstream.as_of_timestamp() -%}

with

graph as (
    select * from {{ ref('id_graph') }}
),

event_statements as (
    select
        attributed.profile_id,
        preferences.category,
        preferences.is_granted,
        preferences.occurred_at as stated_at,
        'segment_event' as statement_source,
        preferences.email,
        preferences.phone
    from {{ ref('stg_segment__consent_preferences') }} as preferences
    inner join {{ ref('int_messages_attributed') }} as attributed
        on preferences.message_id = attributed.message_id
    where preferences.occurred_at <= {{ as_of }}
),

record_statements as (
    select
        graph.profile_id,
        records.category,
        records.is_granted,
        records.recorded_at as stated_at,
        'consent_records' as statement_source,
        case when records.id_type = 'email' then records.id_value end as email,
        case when records.id_type = 'phone' then records.id_value end as phone
    from {{ ref('stg_governance__consent_records') }} as records
    inner join graph
        on records.id_type = graph.id_type
        and records.id_value = graph.id_value
    where records.recorded_at <= {{ as_of }}
),

statements as (
    select * from event_statements
    union all
    select * from record_statements
)

select * from statements
