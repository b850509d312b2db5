{#-
    The `incremental` materialization on Spark without Delta (a local session, or any Spark
    whose tables are plain Parquet). dbt-spark offers only `append` and partitioned
    `insert_overwrite` there, and `merge` needs Delta; our keyed incremental models need
    delete+insert semantics so that an incremental run equals a full refresh. This version, found
    before dbt-spark's because it lives in the root project, gives every strategy the models use:
        append         insert the new rows;
        delete+insert  (the default with a unique_key) keep the stored rows whose key is not in the
                       new batch, then write kept + new back with INSERT OVERWRITE;
    The batch and the kept rows are staged in tables first, as Spark cannot overwrite a table it
    is reading. A first run or --full-refresh (re)creates the table. On Delta (Databricks) the
    same two strategies work unchanged; `merge` is refused here rather than silently appended.
-#}
{% materialization incremental, adapter='spark' %}
    {%- set file_format = config.get('file_format') or 'parquet' -%}
    {%- set unique_key = config.get('unique_key') -%}
    {%- set strategy = config.get('incremental_strategy') or ('delete+insert' if unique_key else 'append') -%}
    {%- if strategy not in ['append', 'delete+insert'] -%}
        {{ exceptions.raise_compiler_error(
            model.name ~ ': incremental_strategy ' ~ strategy ~ ' is not supported on Spark without Delta; use append or delete+insert'
        ) }}
    {%- endif -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set existing = load_cached_relation(this) -%}
    {%- set batch = upstream.work_relation('__batch') -%}
    {%- set kept = upstream.work_relation('__kept') -%}

    {{ run_hooks(pre_hooks) }}
    {% for relation in [batch, kept] %}
        {% do adapter.drop_relation(relation) %}
    {% endfor %}

    {% if existing is none or should_full_refresh() or existing.type != 'table' %}
        {% if existing is not none %}
            {% do adapter.drop_relation(existing) %}
        {% endif %}
        {% call statement('main') -%}
            create table {{ target_relation }} using {{ file_format }} as {{ sql }}
        {%- endcall %}
    {% else %}
        {% call statement('batch') -%}
            create table {{ batch }} using {{ file_format }} as {{ sql }}
        {%- endcall %}
        {%- set columns = adapter.get_columns_in_relation(existing) | map(attribute='name') | join(', ') -%}
        {% if strategy == 'append' %}
            {% call statement('main') -%}
                insert into {{ target_relation }} select {{ columns }} from {{ batch }}
            {%- endcall %}
        {% else %}
            {%- set keys = [unique_key] if unique_key is string else unique_key -%}
            {%- set matches = [] -%}
            {%- for key in keys -%}
                {%- do matches.append('stored.' ~ key ~ ' <=> new_rows.' ~ key) -%}
            {%- endfor -%}
            {% call statement('kept') -%}
                create table {{ kept }} using {{ file_format }} as
                select {{ columns }} from {{ existing }} as stored
                where not exists (
                    select 1 from {{ batch }} as new_rows where {{ matches | join(' and ') }}
                )
            {%- endcall %}
            {% call statement('main') -%}
                insert overwrite table {{ target_relation }}
                select {{ columns }} from {{ kept }}
                union all
                select {{ columns }} from {{ batch }}
            {%- endcall %}
        {% endif %}
        {% for relation in [batch, kept] %}
            {% do adapter.drop_relation(relation) %}
        {% endfor %}
    {% endif %}

    {{ run_hooks(post_hooks) }}
    {% do persist_docs(target_relation, model) %}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
