{#-
    Deleting and updating rows in place, on every engine. DuckDB and PostgreSQL run DELETE and
    UPDATE. Spark's plain Parquet tables have neither (that needs Delta), so there the kept rows
    are copied aside and written back with INSERT OVERWRITE, which Spark allows only when the
    table is not also being read. Each macro returns a list of statements; run them with
    run_statements (Spark's session cursor takes one statement per call).
-#}
{% macro delete_rows_sql(relation, condition) %}
    {{- return(adapter.dispatch('delete_rows_sql', 'upstream')(relation, condition)) -}}
{% endmacro %}

{% macro default__delete_rows_sql(relation, condition) %}
    {{- return(['delete from ' ~ relation ~ ' where ' ~ condition]) -}}
{% endmacro %}

{% macro spark__delete_rows_sql(relation, condition) %}
    {%- set kept = upstream.kept_rows_relation(relation) -%}
    {{- return([
        'drop table if exists ' ~ kept,
        'create table ' ~ kept ~ ' as select * from ' ~ relation ~ ' where not coalesce((' ~ condition ~ '), false)',
        'insert overwrite table ' ~ relation ~ ' select * from ' ~ kept,
        'drop table if exists ' ~ kept,
    ]) -}}
{% endmacro %}

{#- assignments: {column: SQL expression}; rows matching condition get the new values. -#}
{% macro update_rows_sql(relation, assignments, condition) %}
    {{- return(adapter.dispatch('update_rows_sql', 'upstream')(relation, assignments, condition)) -}}
{% endmacro %}

{% macro default__update_rows_sql(relation, assignments, condition) %}
    {%- set sets = [] -%}
    {%- for column, expression in assignments.items() -%}
        {%- do sets.append(column ~ ' = ' ~ expression) -%}
    {%- endfor -%}
    {{- return(['update ' ~ relation ~ ' set ' ~ sets | join(', ') ~ ' where ' ~ condition]) -}}
{% endmacro %}

{% macro spark__update_rows_sql(relation, assignments, condition) %}
    {%- set kept = upstream.kept_rows_relation(relation) -%}
    {%- set select_list = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- set name = column.name | lower -%}
        {%- if name in assignments -%}
            {%- do select_list.append(
                'case when coalesce((' ~ condition ~ '), false) then ' ~ assignments[name]
                ~ ' else ' ~ name ~ ' end as ' ~ name
            ) -%}
        {%- else -%}
            {%- do select_list.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return([
        'drop table if exists ' ~ kept,
        'create table ' ~ kept ~ ' as select ' ~ select_list | join(', ') ~ ' from ' ~ relation,
        'insert overwrite table ' ~ relation ~ ' select * from ' ~ kept,
        'drop table if exists ' ~ kept,
    ]) -}}
{% endmacro %}

{% macro kept_rows_relation(relation) %}
    {{- return(api.Relation.create(
        database=relation.database, schema=relation.schema, identifier=relation.identifier ~ '__kept', type='table'
    )) -}}
{% endmacro %}

{#- Run statements one by one, in order. -#}
{% macro run_statements(statements) %}
    {% for statement in statements %}
        {% do run_query(statement) %}
    {% endfor %}
{% endmacro %}

{#- Delete the rows matching `condition`, skipping the work when none does; returns how many. -#}
{% macro delete_matching_rows(relation, condition) %}
    {%- set matched = run_query('select count(*) from ' ~ relation ~ ' where ' ~ condition).rows[0][0] -%}
    {%- if matched > 0 -%}
        {%- do upstream.run_statements(upstream.delete_rows_sql(relation, condition)) -%}
    {%- endif -%}
    {{- return(matched) -}}
{% endmacro %}

{#- delete_matching_rows as a model hook: runs the delete and renders a no-op query. -#}
{% macro delete_rows_hook(relation, condition) %}
    {%- if execute -%}
        {%- do upstream.delete_matching_rows(relation, condition) -%}
    {%- endif -%}
    select 1
{% endmacro %}
