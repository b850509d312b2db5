{#-
    Materialization `label_propagation`: connected components with anchors, inside the
    warehouse, in one dbt run.

    The model's SQL is the initial state, one row per node:
        node_key, anchor_key (the node's own key when it is an anchor, else NULL),
        anchored_at (a timestamp earlier than any link for anchors, else NULL), label (= node_key)
    config(edges_model=...) names an undirected edge model: node_a, node_b, linked_at.

    Each round, nodes whose state changed in the previous round offer their state to their
    neighbours (macro label_propagation_step). Anchored state beats unanchored; between anchors
    the earliest bottleneck link time wins (the anchor a node was linked to first), then the
    smaller anchor; unanchored nodes take the smallest label. Rounds stop when nothing changes.
    Not converging within max_iterations (var upstream__identity_max_iterations) fails the run:
    a truncated result would silently split people.
-#}
{% materialization label_propagation, default %}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set edges = ref(config.require('edges_model')) -%}
    {%- set max_iterations = config.get('max_iterations') or var('upstream__identity_max_iterations') -%}
    {%- set state = api.Relation.create(
        database=this.database, schema=this.schema, identifier=this.identifier ~ '__state', type='table'
    ) -%}
    {%- set next_state = api.Relation.create(
        database=this.database, schema=this.schema, identifier=this.identifier ~ '__next', type='table'
    ) -%}

    {{ run_hooks(pre_hooks) }}
    {% do adapter.drop_relation(state) %}
    {% do adapter.drop_relation(next_state) %}

    {% call statement('initial_state') -%}
        create table {{ state }} as
        select
            initial.*,
            true as is_changed
        from ({{ sql }}) as initial
    {%- endcall %}

    {%- set ns = namespace(converged=false, rounds=0) -%}
    {% for round in range(max_iterations) %}
        {% if not ns.converged %}
            {% call statement('propagate') -%}
                create table {{ next_state }} as {{ upstream.label_propagation_step(state, edges) }}
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
        {% do adapter.drop_relation(state) %}
        {{ exceptions.raise_compiler_error(
            this ~ ': connected components did not converge in ' ~ max_iterations
            ~ ' rounds; raise var upstream__identity_max_iterations or look for a degenerate chain'
        ) }}
    {% endif %}
    {{ log(this ~ ': converged after ' ~ ns.rounds ~ ' rounds', info=true) }}

    {% call statement('main') -%}
        select {{ ns.rounds }} as rounds
    {%- endcall %}
    {% set existing = load_cached_relation(this) %}
    {% if existing is not none %}
        {% do adapter.drop_relation(existing) %}
    {% endif %}
    {% do adapter.rename_relation(state, target_relation) %}

    {{ run_hooks(post_hooks) }}
    {% do adapter.commit() %}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

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
        frontier.label
    from frontier
    inner join directed on frontier.node_key = directed.source_key
),

ranked_offers as (
    select
        *,
        row_number() over (
            partition by node_key
            order by case when anchor_key is null then 1 else 0 end, anchored_at, anchor_key, label
        ) as offer_rank
    from offers
),

best_offers as (
    select * from ranked_offers
    where offer_rank = 1
),

compared as (
    select
        state.node_key,
        state.anchor_key,
        state.anchored_at,
        state.label,
        best_offers.anchor_key as offered_anchor_key,
        best_offers.anchored_at as offered_anchored_at,
        best_offers.label as offered_label,
        coalesce(
            (best_offers.anchor_key is not null and state.anchor_key is null)
            or (
                best_offers.anchor_key is not null
                and (
                    best_offers.anchored_at < state.anchored_at
                    or (best_offers.anchored_at = state.anchored_at and best_offers.anchor_key < state.anchor_key)
                )
            )
            or (best_offers.anchor_key is null and state.anchor_key is null and best_offers.label < state.label),
            false
        ) as is_changed
    from {{ state }} as state
    left join best_offers on state.node_key = best_offers.node_key
)

select
    node_key,
    case when is_changed then offered_anchor_key else anchor_key end as anchor_key,
    case when is_changed then offered_anchored_at else anchored_at end as anchored_at,
    case
        when is_changed and offered_anchor_key is not null then offered_anchor_key
        when is_changed then offered_label
        else label
    end as label,
    is_changed
from compared
{% endmacro %}
