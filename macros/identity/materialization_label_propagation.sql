{#-
    Materialization `label_propagation`: connected components with anchors, inside the
    warehouse, in one dbt run.

    The model's SQL is the initial state, one row per node:
        node_key, anchor_key (the node's own key when it is an anchor, else NULL),
        anchored_at (earlier than any link for anchors, else NULL),
        label_at, label_key (the node's age: oldest wins in clusters without an anchor),
        component_key (= node_key; becomes the plain component over all links).
    config(edges_model=...) names an undirected edge model: node_a, node_b, linked_at.
    config(touched_model=...) optionally names a model of node_keys touched by new data.

    Each round, nodes whose state changed in the previous round offer it to their neighbours
    (macro label_propagation_step). Anchored state beats unanchored; between anchors the
    earliest bottleneck link time wins (the anchor a node was linked to first), then the smaller
    anchor key; unanchored nodes take the oldest label. Rounds stop when nothing changes; not
    converging within max_iterations (var upstream__identity_max_iterations) fails the run, as a
    truncated result would silently split people.

    Incremental runs recompute only the components (as stored by the previous run) that hold a
    touched node, plus new nodes: whole components, so the result equals a full refresh.
-#}
{% materialization label_propagation, default %}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set existing = load_cached_relation(this) -%}
    {%- set edges = ref(config.require('edges_model')) -%}
    {%- set touched_model = config.get('touched_model') -%}
    {%- set max_iterations = config.get('max_iterations') or var('upstream__identity_max_iterations') -%}
    {%- set state = upstream.work_relation('__state') -%}
    {%- set next_state = upstream.work_relation('__next') -%}
    {%- set scope = upstream.work_relation('__scope') -%}
    {%- set scoped_edges = upstream.work_relation('__edges') -%}
    {%- set incremental = existing is not none and touched_model and not should_full_refresh() -%}

    {{ run_hooks(pre_hooks) }}
    {% for relation in [state, next_state, scope, scoped_edges] %}
        {% do adapter.drop_relation(relation) %}
    {% endfor %}

    {% if incremental %}
        {#- Scope: touched nodes and every node of the stored components they belong to. -#}
        {% call statement('scope') -%}
            create table {{ scope }} as
            select node_key from {{ ref(touched_model) }}
            union
            select stored.node_key
            from {{ existing }} as stored
            inner join {{ existing }} as touched_stored on stored.component_key = touched_stored.component_key
            inner join {{ ref(touched_model) }} as touched on touched_stored.node_key = touched.node_key
        {%- endcall %}
        {% call statement('scoped_edges') -%}
            create table {{ scoped_edges }} as
            select edges.*
            from {{ edges }} as edges
            inner join {{ scope }} as scope_a on edges.node_a = scope_a.node_key
            inner join {{ scope }} as scope_b on edges.node_b = scope_b.node_key
        {%- endcall %}
        {% call statement('initial_state') -%}
            create table {{ state }} as
            select initial.*, true as is_changed
            from ({{ sql }}) as initial
            inner join {{ scope }} as scope on initial.node_key = scope.node_key
        {%- endcall %}
        {%- set propagation_edges = scoped_edges -%}
        {%- set counts = run_query(
            'select (select count(*) from ' ~ scope ~ '), (select count(*) from ' ~ existing ~ ')'
        ).rows[0] -%}
        {{ log(this ~ ': recomputing ' ~ counts[0] ~ ' of ' ~ counts[1] ~ ' stored nodes (components touched by new rows)', info=true) }}
    {% else %}
        {% call statement('initial_state') -%}
            create table {{ state }} as
            select initial.*, true as is_changed
            from ({{ sql }}) as initial
        {%- endcall %}
        {%- set propagation_edges = edges -%}
    {% endif %}

    {%- set ns = namespace(converged=false, rounds=0) -%}
    {% for round in range(max_iterations) %}
        {% if not ns.converged %}
            {% call statement('propagate') -%}
                create table {{ next_state }} as {{ upstream.label_propagation_step(state, propagation_edges) }}
            {%- endcall %}
            {% do adapter.drop_relation(state) %}
            {% do adapter.rename_relation(next_state, state) %}
            {%- set changed = run_query('select count(*) from ' ~ state ~ ' where is_changed').columns[0].values()[0] -%}
            {%- set ns.rounds = round + 1 -%}
            {% if changed == 0 %}
                {%- set ns.converged = true -%}
            {% endif %}
        {% endif %}
    {% endfor %}

    {% if not ns.converged %}
        {% for relation in [state, scope, scoped_edges] %}
            {% do adapter.drop_relation(relation) %}
        {% endfor %}
        {{ exceptions.raise_compiler_error(
            this ~ ': connected components did not converge in ' ~ max_iterations
            ~ ' rounds; raise var upstream__identity_max_iterations or look for a degenerate chain'
        ) }}
    {% endif %}
    {{ log(this ~ ': converged after ' ~ ns.rounds ~ ' rounds ('
        ~ ('incremental' if incremental else 'full') ~ ')', info=true) }}

    {%- set columns = 'node_key, anchor_key, anchored_at, label_at, label_key, component_key' -%}
    {% if incremental %}
        {% do upstream.run_statements(
            upstream.delete_rows_sql(existing, 'node_key in (select node_key from ' ~ scope ~ ')')
        ) %}
        {% call statement('main') -%}
            insert into {{ existing }} ({{ columns }}) select {{ columns }} from {{ state }}
        {%- endcall %}
        {% for relation in [state, scope, scoped_edges] %}
            {% do adapter.drop_relation(relation) %}
        {% endfor %}
    {% else %}
        {% call statement('main') -%}
            select {{ ns.rounds }} as rounds
        {%- endcall %}
        {% if existing is not none %}
            {% do adapter.drop_relation(existing) %}
        {% endif %}
        {% call statement('store') -%}
            create table {{ target_relation }} as select {{ columns }} from {{ state }}
        {%- endcall %}
        {% do adapter.drop_relation(state) %}
    {% endif %}

    {{ run_hooks(post_hooks) }}
    {% do adapter.commit() %}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{#- A scratch table next to the model, named after it. -#}
{% macro work_relation(suffix) -%}
    {{- return(api.Relation.create(
        database=this.database, schema=this.schema, identifier=this.identifier ~ suffix, type='table'
    )) -}}
{%- endmacro %}

{#- One propagation round: the new state of every node (see materialization label_propagation). -#}
{% macro label_propagation_step(state, edges) %}
    {{- return(adapter.dispatch('label_propagation_step', 'upstream')(state, edges)) -}}
{% endmacro %}

{% macro default__label_propagation_step(state, edges) %}
with

frontier as (
    select * from {{ state }}
    where is_changed
),

directed as (
    select node_a as source_key, node_b as target_key, linked_at from {{ edges }}
    union all
    select node_b as source_key, node_a as target_key, linked_at from {{ edges }}
),

offers as (
    select
        directed.target_key as node_key,
        frontier.anchor_key,
        case
            when frontier.anchor_key is not null
                then greatest(frontier.anchored_at, directed.linked_at)
        end as anchored_at,
        frontier.label_at,
        frontier.label_key,
        frontier.component_key
    from frontier
    inner join directed on frontier.node_key = directed.source_key
),

ranked_offers as (
    select
        *,
        row_number() over (
            partition by node_key
            order by case when anchor_key is null then 1 else 0 end, anchored_at, anchor_key, label_at, label_key
        ) as offer_rank,
        min(component_key) over (partition by node_key) as offered_component_key
    from offers
),

best_offers as (
    select * from ranked_offers
    where offer_rank = 1
),

compared as (
    select
        state.*,
        best_offers.anchor_key as offered_anchor_key,
        best_offers.anchored_at as offered_anchored_at,
        best_offers.label_at as offered_label_at,
        best_offers.label_key as offered_label_key,
        best_offers.offered_component_key,
        coalesce(best_offers.offered_component_key < state.component_key, false) as is_new_component,
        coalesce(
            (best_offers.anchor_key is not null and state.anchor_key is null)
            or (
                best_offers.anchor_key is not null
                and (
                    best_offers.anchored_at < state.anchored_at
                    or (best_offers.anchored_at = state.anchored_at and best_offers.anchor_key < state.anchor_key)
                )
            )
            or (
                best_offers.anchor_key is null
                and state.anchor_key is null
                and (
                    best_offers.label_at < state.label_at
                    or (best_offers.label_at = state.label_at and best_offers.label_key < state.label_key)
                )
            ),
            false
        ) as is_better_label
    from {{ state }} as state
    left join best_offers on state.node_key = best_offers.node_key
)

select
    node_key,
    case when is_better_label then offered_anchor_key else anchor_key end as anchor_key,
    case when is_better_label then offered_anchored_at else anchored_at end as anchored_at,
    case when is_better_label then offered_label_at else label_at end as label_at,
    case when is_better_label then offered_label_key else label_key end as label_key,
    case when is_new_component then offered_component_key else component_key end as component_key,
    is_better_label or is_new_component as is_changed
from compared
{% endmacro %}
