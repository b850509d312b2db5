{#-
    Materialization `activation` (models/activation/sync_<destination>__<audience>): the model's
    SQL selects every candidate with a blocked_reason; the table keeps the unblocked rows only,
    without that column. Each build also records, in one transaction with the table:
      - how many candidates were kept and how many each reason blocked (activation_filter_log);
      - every column staged to leave, with meta.pii and whether it is a SHA-256 (activation_field_audit).
    Every column must be declared in the model's YAML with meta.pii true or false: nothing leaves
    the warehouse undeclared. sync_key must be unique and not null among the kept rows.
-#}
{% materialization activation, default %}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set existing = load_cached_relation(this) -%}
    {%- set candidates = upstream.work_relation('__candidates') -%}
    {%- set next_rows = upstream.work_relation('__next') -%}
    {%- set destination = model.name.split('__', 1)[0][5:] -%}
    {%- set where = 'activation model ' ~ model.name ~ ': ' -%}

    {{ run_hooks(pre_hooks) }}
    {% do upstream.run_statements(upstream.activation_state_ddl()) %}
    {% for relation in [candidates, next_rows] %}
        {% do adapter.drop_relation(relation) %}
    {% endfor %}
    {% call statement('candidates') -%}
        create table {{ candidates }} as {{ sql }}
    {%- endcall %}

    {%- set columns = adapter.get_columns_in_relation(candidates) | map(attribute='name') | map('lower') | list -%}
    {%- if 'blocked_reason' not in columns or 'sync_key' not in columns -%}
        {{ exceptions.raise_compiler_error(where ~ 'the model must select sync_key and blocked_reason') }}
    {%- endif -%}
    {%- set outgoing = columns | reject('equalto', 'blocked_reason') | list -%}
    {%- set pii = {} -%}
    {%- for name, column in model.columns.items() -%}
        {%- set meta = column.get('meta') or (column.get('config') or {}).get('meta') or {} -%}
        {%- if meta.get('pii') is not none -%}
            {%- do pii.update({name | lower: meta.get('pii')}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set undeclared = outgoing | reject('in', pii.keys() | list) | list -%}
    {%- if undeclared -%}
        {% do adapter.drop_relation(candidates) %}
        {{ exceptions.raise_compiler_error(
            where ~ 'every column that leaves must be declared in its YAML with meta.pii true or false; '
            ~ 'undeclared: ' ~ (undeclared | join(', '))
        ) }}
    {%- endif -%}

    {% call statement('next_rows') -%}
        create table {{ next_rows }} as
        select {{ outgoing | join(', ') }} from {{ candidates }} where blocked_reason is null
    {%- endcall %}
    {%- set keys = run_query('select count(*), count(sync_key), count(distinct sync_key) from ' ~ next_rows).rows[0] -%}
    {%- if keys[0] != keys[1] or keys[0] != keys[2] -%}
        {% for relation in [candidates, next_rows] %}
            {% do adapter.drop_relation(relation) %}
        {% endfor %}
        {{ exceptions.raise_compiler_error(
            where ~ 'sync_key must be unique and not null; got ' ~ keys[0] ~ ' rows, ' ~ keys[1] ~ ' keyed, ' ~ keys[2] ~ ' distinct'
        ) }}
    {%- endif -%}

    {% call statement('record') -%}
        insert into {{ upstream.activation_filter_log() }}
            (model_name, destination, outcome, profiles, evaluated_at, invocation_id, recorded_at)
        select
            '{{ model.name }}', '{{ destination }}', coalesce(blocked_reason, 'kept'), count(*),
            {{ upstream.as_of_timestamp() }}, '{{ invocation_id }}', {{ upstream.run_recorded_at() }}
        from {{ candidates }}
        group by coalesce(blocked_reason, 'kept')
    {%- endcall %}
    {% call statement('audit') -%}
        insert into {{ upstream.activation_field_audit() }}
            (model_name, destination, column_name, is_pii, is_hashed, evaluated_at, invocation_id, recorded_at)
        values
        {%- for column in outgoing %}
            ('{{ model.name }}', '{{ destination }}', '{{ column }}', {{ 'true' if pii[column] else 'false' }},
             {{ 'true' if column.endswith('_sha256') else 'false' }}, {{ upstream.as_of_timestamp() }},
             '{{ invocation_id }}', {{ upstream.run_recorded_at() }}){{ "," if not loop.last }}
        {%- endfor %}
    {%- endcall %}

    {% if existing is not none %}
        {% do adapter.drop_relation(existing) %}
    {% endif %}
    {% do adapter.rename_relation(next_rows, target_relation) %}
    {% do adapter.drop_relation(candidates) %}
    {% call statement('main') -%}
        select 1
    {%- endcall %}

    {{ run_hooks(post_hooks) }}
    {% do adapter.commit() %}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
