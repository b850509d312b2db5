{#
    Every identity blocklist rule must be one the validation model can apply: a rule with an
    unknown match_type (a typo like `regexp`), an id_type no source emits, or no pattern would
    match nothing and say nothing. Any row returned is such a rule, with the problem; in
    `dbt build` the failure skips the identity models instead of running them without the rule.
    Case is ignored, as the validation model ignores it (macros/identity/blocklist.sql).
#}
{% set id_types = ['*'] + upstream.identity_types().keys() | map('lower') | list %}

with

rules as (
    select
        id_type,
        match_type,
        pattern,
        lower(id_type) as id_type_lower,
        lower(match_type) as match_type_lower
    from {{ ref('identity_blocklist') }}
),

checked as (
    select
        id_type,
        match_type,
        pattern,
        case
            when pattern is null then 'pattern is empty'
            when match_type_lower is null then 'match_type is empty'
            when match_type_lower not in ('exact', 'regex') then 'match_type is not exact or regex'
            when id_type_lower is null then 'id_type is empty (use * for every type)'
            when id_type_lower not in {{ upstream.sql_text_list(id_types) }}
                then 'id_type is not * or a type declared in upstream__identity_types'
        end as problem
    from rules
)

select
    id_type,
    match_type,
    pattern,
    problem
from checked
where problem is not null
