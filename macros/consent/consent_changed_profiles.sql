{#-
    The profiles whose consent answers may have changed since a consent model's previous run, as a
    query of profile_id (NULLs included; callers join to current profiles). `previous_run` names a
    CTE of one row: loaded_at (the model's latest) and as_of_at (the as_of it last computed for).
      - a statement about them was written since (int_consent_statements' loaded_at), a CMP
        record's tombstone included: a record that changed or left the export names the profile it
        no longer applies to that way;
      - a statement of theirs is dated between the previous as_of and this one, in either
        direction (time moved on, or a replay went back);
      - an identifier moved into or out of them (int_identity_reassignments): that moves its
        messages' statements, and its contact address.
    `categories` (optional) limits the statements to those categories (and tombstones, which
    have none). Callers run it inside an incremental block, so they declare `-- depends_on:`
    int_identity_reassignments.
-#}
{% macro consent_changed_profiles(previous_run, as_of, categories=none) -%}
    select statements.profile_id
    from {{ ref('int_consent_statements') }} as statements
    cross join {{ previous_run }} as previous_run
    where
        {%- if categories %}
        (
            statements.category in ({% for category in categories %}'{{ category }}'{{ ", " if not loop.last }}{% endfor %})
            or statements.category is null
        )
        and
        {%- endif %}
        (
            statements.loaded_at > previous_run.loaded_at
            or (
                statements.stated_at > least(previous_run.as_of_at, {{ as_of }})
                and statements.stated_at <= greatest(previous_run.as_of_at, {{ as_of }})
            )
        )
    union
    select reassigned.previous_profile_id as profile_id
    from {{ ref('int_identity_reassignments') }} as reassigned
    union
    select reassigned.profile_id
    from {{ ref('int_identity_reassignments') }} as reassigned
{%- endmacro %}
