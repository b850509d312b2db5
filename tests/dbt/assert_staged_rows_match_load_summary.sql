{#
    segment_load_summary must describe what staging really holds, and account for every raw row:
    any row returned here is a table whose counts disagree.
#}
with

staged as (
    {% for table_name, model_name in [
        ('identifies', 'stg_segment__identifies'),
        ('users', 'stg_segment__users'),
        ('tracks', 'stg_segment__tracks'),
        ('pages', 'stg_segment__pages'),
        ('screens', 'stg_segment__screens'),
        ('product_viewed', 'stg_segment__product_viewed_events'),
        ('product_added', 'stg_segment__product_added_events'),
        ('cart_viewed', 'stg_segment__cart_viewed_events'),
        ('checkout_started', 'stg_segment__checkout_started_events'),
        ('order_completed', 'stg_segment__order_completed_events'),
    ] %}
    select
        '{{ table_name }}' as source_table,
        count(*) as actual_staged_rows
    from {{ ref(model_name) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

rejected as (
    select
        source_table,
        sum(copy_count) as actual_rejected_rows
    from {{ ref('rejected_events') }}
    group by source_table
),

compared as (
    select
        load_summary.source_table,
        load_summary.raw_rows,
        load_summary.staged_rows,
        load_summary.duplicate_rows_dropped,
        load_summary.rejected_rows,
        staged.actual_staged_rows,
        coalesce(rejected.actual_rejected_rows, 0) as actual_rejected_rows
    from {{ ref('segment_load_summary') }} as load_summary
    left join staged as staged on load_summary.source_table = staged.source_table
    left join rejected as rejected on load_summary.source_table = rejected.source_table
)

select * from compared
where
    staged_rows <> actual_staged_rows
    or rejected_rows <> actual_rejected_rows
    or raw_rows <> staged_rows + duplicate_rows_dropped + rejected_rows
