"""What the ledger says about past runs and the state of each sync (CLI `runs` and `status`)."""

import duckdb

from reverse_etl.ledger import SCHEMA

RUN_COLUMNS = [
    "run_id", "sync_name", "started_at", "status", "planned_adds", "planned_updates", "planned_removes",
    "sent", "confirmed", "rejected", "retried", "duration_s", "error",
]  # fmt: skip
STATUS_COLUMNS = ["sync", "confirmed", "pending", "rejected", "dead", "in_flight"]


def runs(con: duckdb.DuckDBPyConnection, limit: int = 20) -> list[tuple]:
    """The latest runs, newest first."""
    columns = ", ".join(RUN_COLUMNS)
    return con.execute(
        f"select {columns} from {SCHEMA}.sync_runs order by started_at desc limit ?", [limit]
    ).fetchall()


def status(con: duckdb.DuckDBPyConnection, sync_names: list[str]) -> list[tuple]:
    """Per sync: keys confirmed by the channel, and rows pending / rejected / dead / in flight."""
    return con.execute(
        f"""
        with names as (select unnest(?::varchar[]) as sync_name),
        confirmed as (
            select sync_name, count(*) as confirmed from {SCHEMA}.sync_state group by 1
        ),
        pending as (
            select
                sync_name,
                count(*) filter (where status = 'pending') as pending,
                count(*) filter (where status = 'rejected') as rejected,
                count(*) filter (where status = 'dead') as dead,
                count(*) filter (where status = 'in_flight') as in_flight
            from {SCHEMA}.sync_pending group by 1
        )
        select names.sync_name, coalesce(confirmed, 0), coalesce(pending, 0), coalesce(rejected, 0),
            coalesce(dead, 0), coalesce(in_flight, 0)
        from names
        left join confirmed using (sync_name)
        left join pending using (sync_name)
        order by 1
        """,
        [sync_names],
    ).fetchall()
