{#-
    The identity blocklist seed's rules, read when the model runs, as [id_type, match_type, pattern]
    lists (id_type and match_type lower-cased; rows without a pattern match nothing and are left
    out). A model calls this unqualified, so a dbt unit test can give the rules with
    `overrides: macros: blocklist_rules` (its fixture rows are not a table this query can read).
-#}
{% macro blocklist_rules(relation) %}
    {#- Nothing to read while parsing, or before the seed is loaded (sqlfluff, `dbt compile` on
        a new warehouse); the model's own read of the seed fails a run without it. -#}
    {%- if not execute or load_relation(relation) is none %}
        {{- return([]) -}}
    {%- endif %}
    {%- set rows = run_query(
        "select lower(id_type), lower(match_type), pattern from " ~ relation ~ " where pattern is not null"
    ) %}
    {%- set rules = [] %}
    {%- for row in rows %}
        {%- do rules.append([row[0], row[1], row[2]]) %}
    {%- endfor %}
    {{- return(rules) -}}
{% endmacro %}

{#-
    True when the identifier matches a blocklist rule: an exact rule compares case-insensitively,
    a regex rule searches the value; a rule's id_type '*' applies to every type. The patterns are
    written in as constants: joined as a column, every identifier met every rule and each pattern
    was (it seems) compiled per row; at 10M events that was 6–9 s of the validation model.
-#}
{% macro blocklist_condition(rules, id_type_expr, id_value_expr) -%}
    {%- set by_type = {} %}
    {%- for id_type, match_type, pattern in rules if match_type in ('exact', 'regex') %}
        {%- do by_type.setdefault(id_type, {'exact': [], 'regex': []})[match_type].append(pattern) %}
    {%- endfor %}
    {%- set checks = [] %}
    {%- for id_type, patterns in by_type | dictsort %}
        {%- set matches = [] %}
        {%- if patterns.exact %}
            {%- set lowered = [] %}
            {%- for pattern in patterns.exact %}
                {%- do lowered.append('lower(' ~ upstream.string_literal(pattern) ~ ')') %}
            {%- endfor %}
            {%- do matches.append('lower(' ~ id_value_expr ~ ') in (' ~ lowered | join(', ') ~ ')') %}
        {%- endif %}
        {%- for pattern in patterns.regex %}
            {%- do matches.append(upstream.regexp_like(id_value_expr, upstream.string_literal(pattern))) %}
        {%- endfor %}
        {%- if id_type == '*' %}
            {%- do checks.extend(matches) %}
        {%- else %}
            {%- do checks.append(
                '(' ~ id_type_expr ~ ' = ' ~ upstream.string_literal(id_type) ~ ' and ('
                ~ matches | join(' or ') ~ '))'
            ) %}
        {%- endif %}
    {%- endfor %}
    {%- if checks %}({{ checks | join('\nor ') }}){% else %}false{% endif %}
{%- endmacro %}
