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


FORGOTTEN_MODEL = "privacy_forgotten_identifiers"


def forgotten_profiles(con: duckdb.DuckDBPyConnection, sync: SyncConfig) -> str | None:
    """A subquery of the profile ids deletion requests forgot (the model beside the sync's
    source), or None where the warehouse has no such model."""
    schema = sync.source.split(".")[0] if "." in sync.source else None
    (found,) = con.execute(
        "select count(*) from information_schema.tables where table_name = ? "
        "and table_schema = coalesce(?, current_schema())",
        [FORGOTTEN_MODEL, schema],
    ).fetchone()
    if not found:
        return None
    relation = f"{_quote(schema)}.{FORGOTTEN_MODEL}" if schema else FORGOTTEN_MODEL
    return f"(select cast(profile_id as varchar) from {relation} where profile_id is not null)"


def stage_desired(con: duckdb.DuckDBPyConnection, sync: SyncConfig) -> int:
    """Read the source into temp table `desired` (record_key, payload_json, payload_hash,
    profile_id: the source's profile_id column, when it has one)."""
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
            md5(cast(to_json(source) as varchar)) as payload_hash,
            {"cast(source.profile_id as varchar)" if "profile_id" in columns else "cast(null as varchar)"}
                as profile_id
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
    """Temp table `planned` (record_key, op, payload_json, payload_hash, profile_id) from desired
    vs confirmed. A mirror removes what left the source; an upsert removes only the members of
    profiles a deletion request forgot (the channel must not keep them)."""
    desired = stage_desired(con, sync)
    changed = "true" if full_resync else "desired.payload_hash <> state.payload_hash"
    columns = "payload_json, {0}.payload_hash, {0}.profile_id"
    parts = [
        f"select desired.record_key, 'add' as op, desired.{columns.format('desired')} from desired "
        "left join state on desired.record_key = state.record_key where state.record_key is null"
    ]
    if sync.mode in ("mirror", "upsert"):
        parts.append(
            f"select desired.record_key, 'update', desired.{columns.format('desired')} from desired "
            f"join state on desired.record_key = state.record_key where {changed}"
        )
    forgotten = forgotten_profiles(con, sync)
    gone = "desired.record_key is null"
    if sync.mode == "upsert":
        gone += f" and state.profile_id in {forgotten}" if forgotten else " and false"
    if sync.mode in ("mirror", "upsert"):
        parts.append(
            f"select state.record_key, 'remove', state.{columns.format('state')} from state "
            f"left join desired on state.record_key = desired.record_key where {gone}"
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


def write_pending(
    con: duckdb.DuckDBPyConnection, sync: SyncConfig, run_id: str, revive_dead: bool = False
) -> None:
    """Merge `planned` into sync_pending in one transaction.

    Keys no longer planned are dropped (desired and confirmed agree again), except rows in
    flight, which stay until their outcome is known. A row keeps its attempt count and its op_id
    while its op and payload are the same; a changed one starts over (a dead row gets another
    chance), and so does a dead row when `revive_dead` (a full resync).
    """
    revive = "true" if revive_dead else "false"
    same = "old.op = planned.op and old.payload_hash = planned.payload_hash"
    con.execute("begin transaction")
    try:
        con.execute(
            f"""
            create or replace temp table merged as
            select
                ? as sync_name,
                planned.record_key,
                case when old.status = 'in_flight' then old.op else planned.op end as op,
                case when old.status = 'in_flight' then old.payload_json else planned.payload_json end
                    as payload_json,
                case when old.status = 'in_flight' then old.payload_hash else planned.payload_hash end
                    as payload_hash,
                case
                    when old.status = 'in_flight' then 'in_flight'
                    when old.payload_hash is distinct from planned.payload_hash then 'pending'
                    when {revive} and old.status = 'dead' then 'pending'
                    else old.status
                end as status,
                case
                    when old.status = 'in_flight' then old.attempts
                    when {revive} and old.status = 'dead' then 0
                    when old.payload_hash = planned.payload_hash then old.attempts
                    else 0
                end as attempts,
                old.last_error,
                old.rejected_reason,
                ? as run_id,
                coalesce(old.planned_at, now()) as planned_at,
                now() as updated_at,
                case
                    when old.status = 'in_flight' or ({same} and old.op_id is not null) then old.op_id
                    else cast(uuid() as varchar)
                end as op_id,
                planned.profile_id
            from planned
            left join {SCHEMA}.sync_pending as old
                on old.sync_name = ? and old.record_key = planned.record_key
            """,
            [sync.name, run_id, sync.name],
        )
        con.execute(
            f"""
            delete from {SCHEMA}.sync_pending
            where sync_name = ?
                and (status <> 'in_flight' or record_key in (select record_key from planned))
            """,
            [sync.name],
        )
        con.execute(f"insert into {SCHEMA}.sync_pending by name select * from merged")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
