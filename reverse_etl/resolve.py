"""Settle rows left in flight: a side-effecting send (an SMS) whose outcome never came back.

They are never re-sent on their own. After checking the channel (Twilio's message log, say), an
operator marks them `sent` (confirmed, as if the channel had answered) or `unsent` (pending again,
so the next run sends them).
"""

import duckdb

from reverse_etl.ledger import SCHEMA


def resolve(
    con: duckdb.DuckDBPyConnection, sync_name: str, outcome: str, keys: list[str] | None = None
) -> int:
    """Settle in-flight rows of a sync (all, or the given keys); returns how many."""
    if outcome not in ("sent", "unsent"):
        raise ValueError("outcome must be 'sent' or 'unsent'")
    selected = "sync_name = ? and status = 'in_flight'"
    if keys:
        selected += " and record_key in (select unnest(?::varchar[]))"
    params = [sync_name, keys] if keys else [sync_name]
    con.execute("begin transaction")
    try:
        (count,) = con.execute(
            f"select count(*) from {SCHEMA}.sync_pending where {selected}", params
        ).fetchone()
        con.execute(
            f"insert into {SCHEMA}.sync_changelog select run_id, sync_name, record_key, op, ?, "
            f"'settled by an operator', current_timestamp from {SCHEMA}.sync_pending where {selected}",
            [f"resolved_{outcome}", *params],
        )
        if outcome == "sent":
            con.execute(
                f"delete from {SCHEMA}.sync_state where sync_name = ? and record_key in "
                f"(select record_key from {SCHEMA}.sync_pending where {selected})",
                [sync_name, *params],
            )
            con.execute(
                f"insert into {SCHEMA}.sync_state select sync_name, record_key, payload_hash, "
                f"payload_json, current_timestamp, run_id from {SCHEMA}.sync_pending where {selected}",
                params,
            )
            con.execute(f"delete from {SCHEMA}.sync_pending where {selected}", params)
        else:
            con.execute(
                f"update {SCHEMA}.sync_pending set status = 'pending', updated_at = now() where {selected}",
                params,
            )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return count
