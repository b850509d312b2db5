"""One sync run: take the lease, plan, write the plan, send removes then adds/updates in batches,
and commit each row only after the channel's verdict for it. A crash at any point leaves rows in
sync_pending that the next run picks up; nothing is marked confirmed that was not confirmed.
"""

import json
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import duckdb

from reverse_etl import logs, plan
from reverse_etl.config import SyncConfig
from reverse_etl.delivery import AmbiguousError, BatchRejectedError, FatalError, RetriableError
from reverse_etl.destinations import Destination, Record, Verdict
from reverse_etl.ledger import SCHEMA


class RunRefusedError(Exception):
    """The run did not start: another run holds the lease, or a safety rail tripped."""


@dataclass
class RunSummary:
    """What a run planned and what became of it (also stored in upstream_sync.sync_runs)."""

    run_id: str
    sync_name: str
    planned_adds: int = 0
    planned_updates: int = 0
    planned_removes: int = 0
    sent: int = 0
    confirmed: int = 0
    rejected: int = 0
    retried: int = 0
    in_flight: int = 0
    status: str = "running"
    duration_s: float = 0.0
    rejections: dict[str, str] = field(default_factory=dict)

    def line(self) -> str:
        """The one-line summary printed after every run."""
        return (
            f"sync {self.sync_name} run {self.run_id[:8]} {self.status}: planned +{self.planned_adds} "
            f"~{self.planned_updates} -{self.planned_removes}, sent {self.sent}, confirmed {self.confirmed}, "
            f"rejected {self.rejected}, retried {self.retried}, in flight {self.in_flight}, "
            f"{self.duration_s:.2f}s"
        )


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(holder: str) -> bool:
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname():
        return True  # cannot tell for another machine: assume it still runs
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, ValueError):
        return False
    except PermissionError:
        return True
    return True


def acquire_lease(con: duckdb.DuckDBPyConnection, sync_name: str, run_id: str) -> None:
    """One run per sync: refuse while a live process holds the lease; take over a dead one's."""
    row = con.execute(
        f"select run_id, holder from {SCHEMA}.sync_leases where sync_name = ?", [sync_name]
    ).fetchone()
    if row and row[1] != _holder() and _alive(row[1]):
        raise RunRefusedError(
            f"sync {sync_name} is already running (run {row[0]} held by {row[1]}); try again when it ends"
        )
    con.execute(
        f"insert or replace into {SCHEMA}.sync_leases values (?, ?, ?, current_timestamp)",
        [sync_name, run_id, _holder()],
    )


def release_lease(con: duckdb.DuckDBPyConnection, sync_name: str, run_id: str) -> None:
    con.execute(f"delete from {SCHEMA}.sync_leases where sync_name = ? and run_id = ?", [sync_name, run_id])


class SyncRun:
    """Carries one run's state between the ledger and the destination."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        sync: SyncConfig,
        destination: Destination,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.con = con
        self.sync = sync
        self.destination = destination
        self.progress = progress
        self.summary = RunSummary(run_id=str(uuid.uuid4()), sync_name=sync.name)

    def execute(self, force: bool = False, full_resync: bool = False) -> RunSummary:
        if self.sync.mode not in self.destination.modes:
            raise RunRefusedError(
                f"sync {self.sync.name}: destination {self.sync.destination.type} supports mode "
                f"{' / '.join(self.destination.modes)}, not {self.sync.mode}"
            )
        started = time.monotonic()
        acquire_lease(self.con, self.sync.name, self.summary.run_id)
        try:
            self._record_start(full_resync)
            try:
                counts = plan.compute(self.con, self.sync, full_resync)
                self.summary.planned_adds = counts.adds
                self.summary.planned_updates = counts.updates
                self.summary.planned_removes = counts.removes
                self._guard(counts, force)
                plan.write_pending(self.con, self.sync, self.summary.run_id)
                logs.event(
                    "plan_written",
                    sync=self.sync.name,
                    run_id=self.summary.run_id,
                    adds=counts.adds,
                    updates=counts.updates,
                    removes=counts.removes,
                    desired=counts.desired,
                )
                self._send_pending()
                self.summary.status = "completed"
            except Exception as error:
                self.summary.status = "failed"
                self._record_end(started, str(error))
                logs.event("run_failed", sync=self.sync.name, run_id=self.summary.run_id, error=str(error))
                raise
            self._record_end(started, None)
            logs.event("run_finished", **{k: v for k, v in asdict(self.summary).items() if k != "rejections"})
        finally:
            release_lease(self.con, self.sync.name, self.summary.run_id)
            # Runs commit per batch with automatic checkpoints raised (ledger.connect); fold the
            # write-ahead log into the file once, at the end.
            self.con.execute("checkpoint")
        return self.summary

    def _guard(self, counts: plan.PlanCounts, force: bool) -> None:
        share = self.sync.max_remove_share
        if not force and counts.confirmed and counts.removes > share * counts.confirmed:
            raise RunRefusedError(
                f"sync {self.sync.name}: the plan removes {counts.removes} of {counts.confirmed} members the "
                f"destination holds (more than max_remove_share {share:.0%}); "
                "check the source, then run with --force"
            )

    def _send_pending(self) -> None:
        rows = self.con.execute(
            f"""
            select record_key, op, payload_json from {SCHEMA}.sync_pending
            where sync_name = ? and status in ('pending', 'rejected') and attempts < ?
            order by case op when 'remove' then 0 else 1 end, record_key
            """,
            [self.sync.name, self.sync.destination.max_attempts],
        ).fetchall()
        (self.summary.in_flight,) = self.con.execute(
            f"select count(*) from {SCHEMA}.sync_pending where sync_name = ? and status = 'in_flight'",
            [self.sync.name],
        ).fetchone()
        records = [Record(key, op, json.loads(payload)) for key, op, payload in rows]
        size = self.destination.batch_size
        done = 0
        for start in range(0, len(records), size):
            batch = records[start : start + size]
            self._deliver(batch)
            done += len(batch)
            if self.progress:
                self.progress(done, len(records))
        self.summary.retried = self.destination.client.retries

    def _deliver(self, records: list[Record]) -> None:
        """Send a batch; a batch refused as a whole is split until the bad rows are alone."""
        if self.destination.side_effecting:
            self._mark_in_flight(records)
        self.summary.sent += len(records)
        try:
            verdicts = self.destination.deliver(records)
        except BatchRejectedError as error:
            self.summary.sent -= len(records)
            if len(records) == 1:
                self._commit({records[0].key: Verdict(False, error.reason)}, records)
                return
            middle = len(records) // 2
            self._deliver(records[:middle])
            self._deliver(records[middle:])
            return
        except AmbiguousError as error:
            self._batch_event("batch_unanswered", records, error=str(error))
            if self.destination.side_effecting:
                self.summary.in_flight += len(records)
                self._log(records, "unknown", str(error))
                return
            self._retry_later(records, str(error))
            return
        except RetriableError as error:
            self._batch_event("batch_deferred", records, error=str(error))
            self._retry_later(records, str(error))
            return
        except FatalError:
            # Refused before anything was sent (credentials, configuration): not in flight.
            if self.destination.side_effecting:
                self._unmark_in_flight(records)
            raise
        self._commit(verdicts, records)
        rejected = sum(not verdict.accepted for verdict in verdicts.values())
        self._batch_event("batch_answered", records, accepted=len(records) - rejected, rejected=rejected)

    def _batch_event(self, name: str, records: list[Record], **fields: object) -> None:
        logs.event(name, sync=self.sync.name, run_id=self.summary.run_id, rows=len(records), **fields)

    def _mark_in_flight(self, records: list[Record]) -> None:
        keys = [r.key for r in records]
        placeholders = ", ".join("?" for _ in keys)
        self.con.execute(
            f"update {SCHEMA}.sync_pending set status = 'in_flight', updated_at = now() "
            f"where sync_name = ? and record_key in ({placeholders})",
            [self.sync.name, *keys],
        )

    def _unmark_in_flight(self, records: list[Record]) -> None:
        self.con.execute(
            f"update {SCHEMA}.sync_pending set status = 'pending', updated_at = now() "
            "where sync_name = ? and record_key in (select unnest(?::varchar[]))",
            [self.sync.name, [r.key for r in records]],
        )

    def _retry_later(self, records: list[Record], error: str) -> None:
        """The channel gave no verdict: the rows stay pending for the next run."""
        keys = [r.key for r in records]
        placeholders = ", ".join("?" for _ in keys)
        self.con.execute("begin transaction")
        self.con.execute(
            f"update {SCHEMA}.sync_pending set status = 'pending', attempts = attempts + 1, last_error = ?, "
            f"updated_at = now() where sync_name = ? and record_key in ({placeholders})",
            [error, self.sync.name, *keys],
        )
        self._log(records, "retry_later", error)
        self.con.execute("commit")

    def _commit(self, verdicts: dict[str, Verdict], records: list[Record]) -> None:
        """Apply the channel's verdicts, all rows of the batch in one transaction."""
        by_key = {r.key: r for r in records}
        accepted = [by_key[k] for k, v in verdicts.items() if v.accepted and k in by_key]
        rejected = [(by_key[k], v.reason) for k, v in verdicts.items() if not v.accepted and k in by_key]
        missing = [r for r in records if r.key not in verdicts]
        con, name, run_id = self.con, self.sync.name, self.summary.run_id
        con.execute("begin transaction")
        try:
            con.execute(
                "create or replace temp table verdicts "
                "(record_key varchar, op varchar, accepted boolean, reason varchar)"
            )
            rows = (
                [(r.key, r.op, True, None) for r in accepted]
                + [(r.key, r.op, False, reason) for r, reason in rejected]
                + [(r.key, r.op, False, "no verdict for this row in the answer") for r in missing]
            )
            # Four list parameters unnested in one statement: far faster than a row per call.
            con.execute(
                "insert into verdicts select unnest(?::varchar[]), unnest(?::varchar[]), "
                "unnest(?::boolean[]), unnest(?::varchar[])",
                [list(column) for column in zip(*rows, strict=True)],
            )
            con.execute(
                f"""delete from {SCHEMA}.sync_state where sync_name = ? and record_key in
                (select record_key from verdicts where accepted)""",
                [name],
            )
            con.execute(
                f"""insert into {SCHEMA}.sync_state
                select ?, p.record_key, p.payload_hash, p.payload_json, current_timestamp, ?
                from {SCHEMA}.sync_pending as p join verdicts as v using (record_key)
                where p.sync_name = ? and v.accepted and v.op <> 'remove'""",
                [name, run_id, name],
            )
            con.execute(
                f"""update {SCHEMA}.sync_pending as p set
                    attempts = p.attempts + 1,
                    status = case when p.attempts + 1 >= ? then 'dead' else 'rejected' end,
                    rejected_reason = v.reason, updated_at = now()
                from verdicts as v
                where p.sync_name = ? and p.record_key = v.record_key and not v.accepted""",
                [self.sync.destination.max_attempts, name],
            )
            con.execute(
                f"""delete from {SCHEMA}.sync_pending where sync_name = ? and record_key in
                (select record_key from verdicts where accepted)""",
                [name],
            )
            con.execute(
                f"""insert into {SCHEMA}.sync_changelog
                select ?, ?, record_key, op, case when accepted then 'confirmed' else 'rejected' end, reason,
                    current_timestamp
                from verdicts""",
                [run_id, name],
            )
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        self.summary.confirmed += len(accepted)
        self.summary.rejected += len(rejected) + len(missing)
        for record, reason in rejected:
            self.summary.rejections[record.key] = reason or "rejected"

    def _log(self, records: list[Record], outcome: str, reason: str) -> None:
        self.con.execute(
            f"insert into {SCHEMA}.sync_changelog "
            "select ?, ?, unnest(?::varchar[]), unnest(?::varchar[]), ?, ?, "
            "current_timestamp",
            [
                self.summary.run_id,
                self.sync.name,
                [r.key for r in records],
                [r.op for r in records],
                outcome,
                reason,
            ],
        )

    def _record_start(self, full_resync: bool) -> None:
        self.con.execute(
            f"insert into {SCHEMA}.sync_runs (run_id, sync_name, started_at, status, full_resync) "
            "values (?, ?, current_timestamp, 'running', ?)",
            [self.summary.run_id, self.sync.name, full_resync],
        )

    def _record_end(self, started: float, error: str | None) -> None:
        self.summary.duration_s = time.monotonic() - started
        s = asdict(self.summary)
        self.con.execute(
            f"""update {SCHEMA}.sync_runs set finished_at = current_timestamp, status = ?, planned_adds = ?,
                planned_updates = ?, planned_removes = ?, sent = ?, confirmed = ?, rejected = ?, retried = ?,
                duration_s = ?, error = ? where run_id = ?""",
            [
                s["status"],
                s["planned_adds"],
                s["planned_updates"],
                s["planned_removes"],
                s["sent"],
                s["confirmed"],
                s["rejected"],
                s["retried"],
                s["duration_s"],
                error,
                s["run_id"],
            ],
        )
