"""The segment part of the demo report: sizes, last-run changes, holdouts, the overlap matrix
and what the cart-abandonment journey decided."""

import duckdb


def segment_summary(con: duckdb.DuckDBPyConnection) -> list[str]:
    """One line per segment: members, held out, entered / exited in its last run."""
    rows = con.execute(
        "select segment_name, refresh, members, holdout_members, entered_last_run, exited_last_run, "
        "coalesce(last_run_outcome, 'never run') from segment_insights order by segment_name"
    ).fetchall()
    header = (
        f"  {'segment':<24}{'refresh':<9}{'members':>9}{'holdout':>9}{'entered':>9}{'exited':>8}  last run"
    )
    lines = ["Segments (segment_insights)", header]
    for name, refresh, members, holdout, entered, exited, outcome in rows:
        lines.append(
            f"  {name:<24}{refresh:<9}{members:>9,}{holdout:>9,}{entered:>9,}{exited:>8,}  {outcome}"
        )
    if not rows:
        lines.append("  no segments")
    return lines


def overlap_matrix(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Shared members between every pair of segments (row segment, column segment)."""
    rows = con.execute(
        "select segment_a, segment_b, shared_members from segment_overlap order by segment_a, segment_b"
    ).fetchall()
    names = sorted({row[0] for row in rows})
    shared = {(a, b): n for a, b, n in rows}
    width = max([len(name) for name in names] + [8]) + 2
    lines = ["Overlap matrix (shared members; segment_overlap)"]
    lines.append(" " * (width + 2) + "".join(f"{name[: width - 2]:>{width}}" for name in names))
    for a in names:
        lines.append(f"  {a:<{width}}" + "".join(f"{shared[(a, b)]:>{width},}" for b in names))
    return lines


def journey_summary(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Decisions per channel so far, and what is due now per step."""
    decisions = con.execute(
        "select channel, decision, count(*) from cart_abandonment_decisions group by 1, 2 order by 1, 2"
    ).fetchall()
    due = con.execute(
        "select step_number, step_name, count(*) from cart_abandonment_due_steps group by 1, 2 order by 1"
    ).fetchall()
    lines = ["Cart-abandonment journey"]
    lines += [f"  {channel:<6}{decision:<10}{count:>8,}" for channel, decision, count in decisions]
    lines += [f"  due now, step {number} ({name}): {count:,}" for number, name, count in due]
    return lines
