"""Numbers per dbt model for Dagster's metadata plots, read from the warehouse after a build."""

import duckdb


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> int:
    try:
        return int(con.execute(sql, params or []).fetchone()[0] or 0)
    except duckdb.Error:
        return 0


def model_metrics(con: duckdb.DuckDBPyConnection, model: str) -> dict[str, int]:
    """Numeric metadata for one model (by name), or nothing for models without headline numbers."""
    if model == "id_graph":
        return {
            "profiles": _one(con, "select count(distinct profile_id) from main.id_graph"),
            "identifiers": _one(con, "select count(*) from main.id_graph"),
        }
    if model == "profile_merges":
        return {"merges": _one(con, "select count(*) from main.profile_merges")}
    if model == "identity_excluded_identifiers":
        return {"excluded_identifiers": _one(con, "select count(*) from main.identity_excluded_identifiers")}
    if model == "profiles":
        return {"profiles": _one(con, "select count(*) from main.profiles")}
    if model == "rejected_events":
        return {"rejected_rows": _one(con, "select coalesce(sum(copy_count), 0) from main.rejected_events")}
    segment = (
        con.execute(
            "select members, entered_last_run, exited_last_run, holdout_members from main.segment_insights "
            "where segment_name = ?",
            [model],
        ).fetchone()
        if _one(con, "select count(*) from main.segment_registry where segment_name = ?", [model])
        else None
    )
    if segment:
        return dict(
            zip(["members", "entered", "exited", "held_out"], (int(v or 0) for v in segment), strict=True)
        )
    if model.startswith("sync_"):
        rows = con.execute(
            "select outcome, profiles from main.activation_filter_report where model_name = ?", [model]
        ).fetchall()
        kept = sum(count for outcome, count in rows if outcome == "kept")
        return {"rows": kept, "blocked": sum(count for _, count in rows) - kept}
    return {}
