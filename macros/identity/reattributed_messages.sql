{#-
    The messages whose profile a run must decide again, as a query of message_id: those with
    identifier mentions stored since `watermark` (a scalar query of the caller's latest loaded_at)
    and those mentioning an identifier whose profile changed with this build's id_graph
    (int_identity_reassignments). Shared by int_messages_attributed and the models that carry
    its profile forward, so they recompute the same set. Callers call it inside an
    is_incremental() block, so they declare `-- depends_on:` both int_identity_reassignments and
    int_identifier_mentions.
-#}
{% macro reattributed_messages(watermark) -%}
    select mentions.message_id
    from {{ ref('int_identifier_mentions') }} as mentions
    where mentions.loaded_at > ({{ watermark }})
    union
    select mentions.message_id
    from {{ ref('int_identifier_mentions') }} as mentions
    inner join {{ ref('int_identity_reassignments') }} as reassigned
        on mentions.id_type = reassigned.id_type
        and mentions.id_value = reassigned.id_value
{%- endmacro %}
