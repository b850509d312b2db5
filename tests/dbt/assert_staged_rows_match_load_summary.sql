{#
    Every raw Segment row is accounted for: staged, dropped as a duplicate, or quarantined. The
    summary counts raw rows in the raw tables themselves and the rest in the base layer the stg_
    views filter, so a difference means staging stopped reading rows that arrived (a table whose
    counts disagree is returned). It reads segment_load_summary only, so it runs when that model
    is selected and not in a selection such as `+id_graph` that does not build it.
#}
select
    source_table,
    raw_rows,
    staged_rows,
    duplicate_rows_dropped,
    rejected_rows
from {{ ref('segment_load_summary') }}
where raw_rows <> staged_rows + duplicate_rows_dropped + rejected_rows
