{#-
    Materialization `segment`: the model's SQL selects the audience (profile_id, unique and not
    null, plus any payload columns); this materialization keeps its history.

    Each run compares the new members with the members recorded in segment_event_log, appends an
    'entered' or 'exited' row per change (occurred_at = upstream__as_of), logs the run in
    segment_run_log, and stores the members in the model's table with four more columns:
    segment_name, entered_at (first entry of the current stay), is_holdout and split_name
    (assigned at entry from a hash of segment and profile, see audience_assignment).

    - A static segment (meta.segment.refresh = static) is evaluated once and then frozen.
    - History only moves forward: a run whose as_of is before the segment's last evaluation
      (a replay of the past) leaves it as it is.
    - --full-refresh forgets the segment's history and evaluates it afresh (static ones too).
    Everything happens in one transaction, so a failed run leaves table and history as they were.
-#}
{% materialization segment, default %}
    {%- set settings = upstream.segment_settings(model) -%}
    {%- set segment_name = model.name -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set existing = load_cached_relation(this) -%}
    {%- set event_log = upstream.segment_event_log() -%}
    {%- set run_log = upstream.segment_run_log() -%}
    {%- set candidates = upstream.work_relation('__candidates') -%}
    {%- set previous = upstream.work_relation('__previous') -%}
    {%- set next_members = upstream.work_relation('__next') -%}
    {%- set as_of = upstream.as_of_timestamp() -%}
    {%- set reserved = ['segment_name', 'entered_at', 'is_holdout', 'split_name'] -%}

    {{ run_hooks(pre_hooks) }}
    {% do upstream.run_statements(upstream.segment_state_ddl()) %}
    {% for relation in [candidates, previous, next_members] %}
        {% do adapter.drop_relation(relation) %}
    {% endfor %}

    {% if should_full_refresh() %}
        {% for log_relation in [event_log, run_log] %}
            {% do upstream.delete_matching_rows(log_relation, "segment_name = '" ~ segment_name ~ "'") %}
        {% endfor %}
    {% endif %}

    {#- A profile forgotten by a deletion request leaves no trace in the segment's history or table. -#}
    {% do upstream.forget_profiles(event_log) %}
    {% if existing is not none %}
        {% do upstream.forget_profiles(existing) %}
    {% endif %}

    {%- set history = run_query(
        "select count(*), coalesce(max(case when evaluated_at > " ~ as_of ~ " then 1 else 0 end), 0), max(evaluated_at)"
        ~ " from " ~ run_log ~ " where segment_name = '" ~ segment_name ~ "' and outcome = 'evaluated'"
    ).rows[0] -%}
    {%- set evaluations = history[0] -%}
    {%- set outcome = 'evaluated' -%}
    {%- if evaluations > 0 and settings.refresh == 'static' -%}
        {%- set outcome = 'frozen' -%}
        {%- if existing is none -%}
            {{ exceptions.raise_compiler_error(
                'segment ' ~ segment_name ~ ': static segment frozen at ' ~ history[2] ~ ' but its table is missing; '
                ~ 'run `dbt build --full-refresh --select ' ~ segment_name ~ '` to freeze it again'
            ) }}
        {%- endif -%}
    {%- elif history[1] == 1 -%}
        {%- set outcome = 'skipped_past_as_of' -%}
        {%- if existing is none -%}
            {{ exceptions.raise_compiler_error(
                'segment ' ~ segment_name ~ ': as_of ' ~ upstream.as_of_text() ~ ' is before its last evaluation ('
                ~ history[2] ~ ') and its table is missing; run with a later as_of, or --full-refresh to start its history again'
            ) }}
        {%- endif -%}
    {%- endif -%}

    {% if outcome == 'evaluated' %}
        {% call statement('candidates') -%}
            create table {{ candidates }} as {{ sql }}
        {%- endcall %}
        {%- set columns = adapter.get_columns_in_relation(candidates) | map(attribute='name') | map('lower') | list -%}
        {%- if 'profile_id' not in columns -%}
            {{ exceptions.raise_compiler_error('segment ' ~ segment_name ~ ': the model must select a profile_id column') }}
        {%- endif -%}
        {%- for column in reserved -%}
            {%- if column in columns -%}
                {{ exceptions.raise_compiler_error('segment ' ~ segment_name ~ ': column ' ~ column ~ ' is added by the segment materialization; rename it in the model') }}
            {%- endif -%}
        {%- endfor -%}
        {%- set shape = run_query('select count(*), count(profile_id), count(distinct profile_id) from ' ~ candidates).rows[0] -%}
        {%- if shape[0] != shape[1] or shape[0] != shape[2] -%}
            {% do adapter.drop_relation(candidates) %}
            {{ exceptions.raise_compiler_error(
                'segment ' ~ segment_name ~ ': profile_id must be unique and not null; got ' ~ shape[0] ~ ' rows, '
                ~ shape[1] ~ ' with a profile_id, ' ~ shape[2] ~ ' distinct'
            ) }}
        {%- endif -%}

        {% call statement('previous_members') -%}
            create table {{ previous }} as {{ upstream.segment_members_from_log(segment_name) }}
        {%- endcall %}
        {% call statement('next_members') -%}
            create table {{ next_members }} as
            select
                candidates.*,
                cast('{{ segment_name }}' as {{ dbt.type_string() }}) as segment_name,
                coalesce(previous.entered_at, {{ as_of }}) as entered_at,
                coalesce(previous.is_holdout, {{ upstream.audience_is_holdout(segment_name, 'candidates.profile_id', settings.holdout_share) }}) as is_holdout,
                coalesce(previous.split_name, {{ upstream.audience_split_name(segment_name, 'candidates.profile_id', settings.holdout_share, settings.splits) }}) as split_name
            from {{ candidates }} as candidates
            left join {{ previous }} as previous on candidates.profile_id = previous.profile_id
        {%- endcall %}
        {% call statement('record_changes') -%}
            insert into {{ event_log }}
                (segment_name, profile_id, event_type, occurred_at, is_holdout, split_name, invocation_id, recorded_at)
            select
                '{{ segment_name }}', changes.profile_id, changes.event_type, {{ as_of }},
                changes.is_holdout, changes.split_name, '{{ invocation_id }}', {{ upstream.run_recorded_at() }}
            from (
                select next_members.profile_id, 'entered' as event_type, next_members.is_holdout, next_members.split_name
                from {{ next_members }} as next_members
                where not exists (select 1 from {{ previous }} as previous where previous.profile_id = next_members.profile_id)
                union all
                select previous.profile_id, 'exited' as event_type, previous.is_holdout, previous.split_name
                from {{ previous }} as previous
                where not exists (select 1 from {{ next_members }} as next_members where next_members.profile_id = previous.profile_id)
            ) as changes
        {%- endcall %}
        {%- set counts_sql -%}
            select
                (select count(*) from {{ next_members }}),
                (select count(*) from {{ next_members }} as n where not exists (select 1 from {{ previous }} as p where p.profile_id = n.profile_id)),
                (select count(*) from {{ previous }} as p where not exists (select 1 from {{ next_members }} as n where n.profile_id = p.profile_id)),
                (select count(*) from {{ next_members }} where is_holdout)
        {%- endset -%}
        {%- set counts = run_query(counts_sql).rows[0] -%}
        {% if existing is not none %}
            {% do adapter.drop_relation(existing) %}
        {% endif %}
        {% do adapter.rename_relation(next_members, target_relation) %}
        {% for relation in [candidates, previous] %}
            {% do adapter.drop_relation(relation) %}
        {% endfor %}
        {{ log('segment ' ~ segment_name ~ ': ' ~ counts[0] ~ ' members (+' ~ counts[1] ~ ' entered, -' ~ counts[2]
            ~ ' exited, ' ~ counts[3] ~ ' held out) as of ' ~ upstream.as_of_text(), info=true) }}
    {% else %}
        {%- set counts = [run_query('select count(*) from ' ~ existing).rows[0][0], 0, 0,
            run_query('select count(*) from ' ~ existing ~ ' where is_holdout').rows[0][0]] -%}
        {{ log('segment ' ~ segment_name ~ ': ' ~ outcome ~ ' (last evaluated at ' ~ history[2] ~ '), '
            ~ counts[0] ~ ' members kept', info=true) }}
    {% endif %}

    {% call statement('main') -%}
        insert into {{ run_log }}
            (segment_name, refresh, outcome, evaluated_at, members, entered, exited, holdout_members, invocation_id, recorded_at)
        values (
            '{{ segment_name }}', '{{ settings.refresh }}', '{{ outcome }}', {{ as_of }},
            {{ counts[0] }}, {{ counts[1] }}, {{ counts[2] }}, {{ counts[3] }},
            '{{ invocation_id }}', {{ upstream.run_recorded_at() }}
        )
    {%- endcall %}

    {{ run_hooks(post_hooks) }}
    {% do adapter.commit() %}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
