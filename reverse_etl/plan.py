"""The plan of a run, computed in SQL: the desired rows (the sync's source) against what the
destination has confirmed (upstream_sync.sync_state), written to sync_pending before anything is
sent. Work left by an earlier run (rejected rows, a crash) is merged in, never lost.
"""

from dataclasses import dataclass

import duckdb

from reverse_etl.config import SyncConfig
from reverse_etl.ledger import SCHEMA


class PlanError(Exception):
    """The source cannot be synced as it is (missing, bad key); the message says why."""


@dataclass(frozen=True)
class PlanCounts:
    """How many operations the plan holds, and the audience they act on."""

    adds: int
    updates: int
    removes: int
    desired: int
    confirmed: int


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def stage_desired(con: duckdb.DuckDBPyConnection, sync: SyncConfig) -> int:
    """Read the source into temp table `desired` (record_key, payload_json, payload_hash)."""
    relation = ".".join(_quote(part) for part in sync.source.split("."))
    try:
        columns = [row[0] for row in con.execute(f"select * from {relation} limit 0").description]
    except duckdb.CatalogException as error:
        raise PlanError(
            f"sync {sync.name}: source {sync.source} does not exist (build it with dbt first)"
        ) from error
    if sync.key not in columns:
        raise PlanError(
            f"sync {sync.name}: key column {sync.key!r} is not in {sync.source} "
            f"(columns: {', '.join(columns)})"
        )
    con.execute(
        f"""
        create or replace temp table desired as
        select
            cast(source.{_quote(sync.key)} as varchar) as record_key,
            cast(to_json(source) as varchar) as payload_json,
            md5(cast(to_json(source) as varchar)) as payload_hash
        from {relation} as source
        """
    )
    rows, keyed, distinct = con.execute(
        "select count(*), count(record_key), count(distinct record_key) from desired"
    ).fetchone()
    if keyed != rows:
        raise PlanError(
            f"sync {sync.name}: {rows - keyed} rows of {sync.source} have a NULL {sync.key}; nothing was sent"
        )
    if distinct != rows:
        raise PlanError(
            f"sync {sync.name}: {sync.key} is not unique in {sync.source} "
            f"({rows - distinct} duplicate rows); nothing was sent"
        )
    return rows


def compute(con: duckdb.DuckDBPyConnection, sync: SyncConfig, full_resync: bool = False) -> PlanCounts:
    """Temp table `planned` (record_key, op, payload_json, payload_hash) from desired vs confirmed."""
    desired = stage_desired(con, sync)
    changed = "true" if full_resync else "desired.payload_hash <> state.payload_hash"
    parts = [
        "select desired.record_key, 'add' as op, desired.payload_json, desired.payload_hash from desired "
        "left join state on desired.record_key = state.record_key where state.record_key is null"
    ]
    if sync.mode in ("mirror", "upsert"):
        parts.append(
            "select desired.record_key, 'update', desired.payload_json, desired.payload_hash from desired "
            f"join state on desired.record_key = state.record_key where {changed}"
        )
    if sync.mode == "mirror":
        parts.append(
            "select state.record_key, 'remove', state.payload_json, state.payload_hash from state "
            "left join desired on state.record_key = desired.record_key where desired.record_key is null"
        )
    con.execute(
        f"""
        create or replace temp table planned as
        with state as (select * from {SCHEMA}.sync_state where sync_name = ?)
        {" union all ".join(parts)}
        """,
        [sync.name],
    )
    counts = dict(con.execute("select op, count(*) from planned group by op").fetchall())
    (confirmed,) = con.execute(
        f"select count(*) from {SCHEMA}.sync_state where sync_name = ?", [sync.name]
    ).fetchone()
    return PlanCounts(
        counts.get("add", 0), counts.get("update", 0), counts.get("remove", 0), desired, confirmed
    )


def write_pending(con: duckdb.DuckDBPyConnection, sync: SyncConfig, run_id: str) -> None:
    """Merge `planned` into sync_pending in one transaction.

    Keys no longer planned are dropped (desired and confirmed agree again), except rows in
    flight, which stay until their outcome is known. A row keeps its attempt count while its
    payload is the same; a changed payload starts over (a dead row gets another chance).
    """
    con.execute("begin transaction")
    try:
        con.execute(
            f"""
            delete from {SCHEMA}.sync_pending
            where sync_name = ? and status <> 'in_flight'
                and record_key not in (select record_key from planned)
            """,
            [sync.name],
        )
        con.execute(
            f"""
            insert into {SCHEMA}.sync_pending
            select ?, record_key, op, payload_json, payload_hash, 'pending', 0, null, null, ?,
                current_timestamp, current_timestamp
            from planned
            on conflict (sync_name, record_key) do update set
                op = case when sync_pending.status = 'in_flight' then sync_pending.op else excluded.op end,
                payload_json = case when sync_pending.status = 'in_flight' then sync_pending.payload_json
                    else excluded.payload_json end,
                attempts = case when sync_pending.payload_hash = excluded.payload_hash
                    then sync_pending.attempts else 0 end,
                status = case
                    when sync_pending.status = 'in_flight' then 'in_flight'
                    when sync_pending.payload_hash <> excluded.payload_hash then 'pending'
                    else sync_pending.status end,
                payload_hash = case when sync_pending.status = 'in_flight' then sync_pending.payload_hash
                    else excluded.payload_hash end,
                run_id = excluded.run_id,
                updated_at = now()
            """,
            [sync.name, run_id],
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
