{#-
    The CMP export's statements on the profiles of `graph` (a relation or CTE with id_type,
    id_value and profile_id), in int_consent_statements' columns: the id_type email or phone is
    also the contact the record speaks for. A record whose identifier the graph does not know
    has no profile, so no statement.
-#}
{% macro consent_record_statements(graph) -%}
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
    inner join {{ graph }} as graph
        on records.id_type = graph.id_type
        and records.id_value = graph.id_value
{%- endmacro %}
