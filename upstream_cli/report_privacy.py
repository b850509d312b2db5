"""The governance part of the demo report: what each activation model kept, what each rule
blocked, and the privacy requests applied."""

import duckdb


def activation_summary(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Per sync model: kept, then blocked per reason (activation_filter_report)."""
    rows = con.execute(
        "select model_name, outcome, profiles from activation_filter_report "
        "order by model_name, outcome <> 'kept', outcome"
    ).fetchall()
    lines = ["Activation (kept / blocked per reason; activation_filter_report)"]
    current = None
    for model, outcome, count in rows:
        if model != current:
            lines.append(f"  {model}")
            current = model
        lines.append(f"    {outcome:<34}{count:>8,}")
    if not rows:
        lines.append("  no activation model built")
    return lines


def privacy_summary(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Suppressed profiles, applied deletions, and quarantined governance rows."""
    suppressed = con.execute("select count(*) from privacy_suppressed_profiles").fetchone()[0]
    requests, identifiers = con.execute(
        "select count(distinct request_id), count(*) from privacy_forgotten_identifiers"
    ).fetchone()
    rejected = con.execute(
        "select source_table, reason, sum(copy_count) from rejected_events "
        "where source_table in ('consent_records', 'privacy_requests') group by 1, 2 order by 1, 2"
    ).fetchall()
    lines = [
        "Privacy",
        f"  suppressed profiles: {suppressed:,}",
        f"  deletion requests applied: {requests:,} ({identifiers:,} identifiers forgotten, kept as hashes)",
    ]
    lines += [f"  rejected {table} ({reason}): {count:,}" for table, reason, count in rejected]
    return lines
