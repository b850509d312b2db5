"""Operator commands on rows a run could not settle.

resolve: rows left in flight, a side-effecting send (an SMS) whose outcome never came back. They
are never re-sent on their own. After checking the channel (Twilio's message log, say), an operator
marks them `sent` (confirmed, as if the channel had answered) or `unsent` (pending again, so the
next run sends them).

requeue: dead rows (rejected max_attempts times) go back to pending with no attempts counted.
"""

from collections.abc import Callable

import duckdb

from reverse_etl.ledger import SCHEMA


def _settle(
    con: duckdb.DuckDBPyConnection,
    sync_name: str,
    status: str,
    keys: list[str] | None,
    outcome: str,
    apply: Callable[[str, list], None],
) -> int:
    """In one transaction: log `outcome` for the sync's rows in `status` (all, or `keys`), then
    `apply(where, params)` to them; returns how many there were."""
    selected = "sync_name = ? and status = ?"
    params: list = [sync_name, status]
    if keys:
        selected += " and record_key in (select unnest(?::varchar[]))"
        params.append(keys)
    con.execute("begin transaction")
    try:
        (count,) = con.execute(
            f"select count(*) from {SCHEMA}.sync_pending where {selected}", params
        ).fetchone()
        con.execute(
            f"insert into {SCHEMA}.sync_changelog select run_id, sync_name, record_key, op, ?, "
            f"'by an operator', current_timestamp from {SCHEMA}.sync_pending where {selected}",
            [outcome, *params],
        )
        apply(selected, params)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return count


def resolve(
    con: duckdb.DuckDBPyConnection,
    sync_name: str,
    outcome: str,
    keys: list[str] | None = None,
) -> int:
    """Settle in-flight rows of a sync (all, or the given keys); returns how many. Only
    side-effecting channels leave rows in flight, and they are insert-only: a row settled as sent
    keeps its hash, no payload (reverse_etl.ledger)."""
    if outcome not in ("sent", "unsent"):
        raise ValueError("outcome must be 'sent' or 'unsent'")

    def apply(selected: str, params: list) -> None:
        if outcome == "unsent":
            con.execute(
                f"update {SCHEMA}.sync_pending set status = 'pending', updated_at = now() where {selected}",
                params,
            )
            return
        con.execute(
            f"delete from {SCHEMA}.sync_state where sync_name = ? and record_key in "
            f"(select record_key from {SCHEMA}.sync_pending where {selected})",
            [sync_name, *params],
        )
        con.execute(
            f"insert into {SCHEMA}.sync_state (sync_name, record_key, payload_hash, confirmed_at, run_id, "
            f"profile_id) select sync_name, record_key, payload_hash, current_timestamp, run_id, profile_id "
            f"from {SCHEMA}.sync_pending where {selected}",
            params,
        )
        con.execute(f"delete from {SCHEMA}.sync_pending where {selected}", params)

    return _settle(con, sync_name, "in_flight", keys, f"resolved_{outcome}", apply)


def requeue(con: duckdb.DuckDBPyConnection, sync_name: str, keys: list[str] | None = None) -> int:
    """Give dead rows another chance: pending, attempts 0, so the next run sends them."""

    def apply(selected: str, params: list) -> None:
        con.execute(
            f"update {SCHEMA}.sync_pending set status = 'pending', attempts = 0, updated_at = now() "
            f"where {selected}",
            params,
        )

    return _settle(con, sync_name, "dead", keys, "requeued", apply)
