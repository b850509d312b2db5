"""One sync run: take the lease, plan, write the plan, send removes then adds/updates in batches,
and commit each row only after the channel's verdict for it. A crash at any point leaves rows in
sync_pending that the next run picks up; nothing is marked confirmed that was not confirmed.

A run is `completed` when every row it sent got a verdict. When the channel gave none (an outage,
throttling beyond the wait we accept), the run stops sending, leaves the rest pending without
counting an attempt against them, and ends `incomplete`: the CLI exits non-zero and Dagster
retries it. What the channel says back is stored redacted (reverse_etl.redact).
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
from reverse_etl.config import ConfigError, SyncConfig
from reverse_etl.delivery import (
    AmbiguousError,
    BatchRejectedError,
    DeliveryError,
    FatalError,
    RetriableError,
)
from reverse_etl.destinations import Destination, Record, Verdict
from reverse_etl.ledger import SCHEMA
from reverse_etl.redact import redact
from upstream_config.secrets import SecretError
from upstream_config.warehouse import WarehouseMissingError

# A lease whose holder has not renewed it for this long is taken over: its process died (or its
# host is gone). Runs renew it at least every HEARTBEAT_S while they work.
LEASE_TTL_S = 900.0
HEARTBEAT_S = 30.0


class RunRefusedError(Exception):
    """The run did not start: another run holds the lease, or a safety rail tripped."""


class LeaseHeldError(RunRefusedError):
    """Another run of the sync is working: try again when it ends."""


OWN_ERRORS = (
    DeliveryError, RunRefusedError, ConfigError, plan.PlanError, SecretError, WarehouseMissingError,
)  # fmt: skip


def error_text(error: BaseException) -> str:
    """What may be stored and printed of an error: our own messages, which never quote a
    request; for anything else only its type (its text may carry a header or a payload)."""
    if isinstance(error, OWN_ERRORS):
        return str(error)
    return f"{type(error).__name__} (details not stored: they may quote request data)"


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
    unanswered: int = 0  # rows this run meant to send that got no verdict
    status: str = "running"
    duration_s: float = 0.0
    why: str | None = None  # why rows got no verdict
    rejections: dict[str, str] = field(default_factory=dict)

    def line(self) -> str:
        """The one-line summary printed after every run; `sent` counts rows the channel answered."""
        text = (
            f"sync {self.sync_name} run {self.run_id[:8]} {self.status}: planned +{self.planned_adds} "
            f"~{self.planned_updates} -{self.planned_removes}, sent {self.sent}, confirmed {self.confirmed}, "
            f"rejected {self.rejected}, retried {self.retried}, in flight {self.in_flight}, "
            f"{self.duration_s:.2f}s"
        )
        if self.unanswered:
            text += (
                f"; {self.unanswered} rows got no verdict ({self.why}): they stay pending and the next "
                "run sends them"
            )
        return text


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(holder: str) -> bool:
    """Whether the process of a holder on this host still runs."""
    pid = holder.rpartition(":")[2]
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, ValueError):
        return False
    except PermissionError:
        return True
    return True


def acquire_lease(con: duckdb.DuckDBPyConnection, sync_name: str, run_id: str) -> None:
    """One run per sync: refuse while a live process holds the lease; take over the lease of a
    process that is gone (on this host) or that stopped renewing it (on any host), and close the
    run it left `running` as `abandoned`."""
    row = con.execute(
        f"""select run_id, holder,
            epoch(current_timestamp::timestamp - coalesce(heartbeat_at, acquired_at))
        from {SCHEMA}.sync_leases where sync_name = ?""",
        [sync_name],
    ).fetchone()
    if row and row[1] != _holder():
        host = row[1].rpartition(":")[0]
        live = _alive(row[1]) if host == socket.gethostname() else row[2] < LEASE_TTL_S
        if live:
            raise LeaseHeldError(
                f"sync {sync_name} is already running (run {row[0]} held by {row[1]}); try again when it ends"
            )
    con.execute(
        f"insert or replace into {SCHEMA}.sync_leases values (?, ?, ?, current_timestamp, current_timestamp)",
        [sync_name, run_id, _holder()],
    )
    con.execute(
        f"""update {SCHEMA}.sync_runs set status = 'abandoned', finished_at = current_timestamp,
            error = 'the process running it ended before it finished; its rows were picked up again'
        where sync_name = ? and status = 'running' and run_id <> ?""",
        [sync_name, run_id],
    )


def renew_lease(con: duckdb.DuckDBPyConnection, sync_name: str, run_id: str) -> None:
    con.execute(
        f"update {SCHEMA}.sync_leases set heartbeat_at = current_timestamp "
        "where sync_name = ? and run_id = ?",
        [sync_name, run_id],
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
        self.renewed = time.monotonic()
        self.channel_down: str | None = None  # set when the channel stopped answering this run

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
                plan.write_pending(self.con, self.sync, self.summary.run_id, revive_dead=full_resync)
                logs.event(
                    "plan_written",
                    sync=self.sync.name,
                    run_id=self.summary.run_id,
                    adds=counts.adds,
                    updates=counts.updates,
                    removes=counts.removes,
                    desired=counts.desired,
                )
                forgotten = plan.forgotten_profiles(self.con, self.sync)
                self._note_forgotten_keys(forgotten)
                self._send_pending()
                self._forget_deleted_profiles(forgotten)
                self.summary.status = "incomplete" if self.summary.unanswered else "completed"
            except Exception as error:
                self.summary.status = "failed"
                self._record_end(started, error_text(error))
                logs.event(
                    "run_failed", sync=self.sync.name, run_id=self.summary.run_id, error=error_text(error)
                )
                raise
            self._record_end(started, self.summary.why)
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
            select record_key, op, payload_json, op_id from {SCHEMA}.sync_pending
            where sync_name = ? and status in ('pending', 'rejected')
            order by case op when 'remove' then 0 else 1 end, record_key
            """,
            [self.sync.name],
        ).fetchall()
        (self.summary.in_flight,) = self.con.execute(
            f"select count(*) from {SCHEMA}.sync_pending where sync_name = ? and status = 'in_flight'",
            [self.sync.name],
        ).fetchone()
        records = [Record(key, op, json.loads(payload), op_id or "") for key, op, payload, op_id in rows]
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
        """Send a batch; a batch refused as a whole is split until the bad rows are alone. Once
        the channel has failed to answer, the rest of the run is left pending unsent."""
        if self.channel_down:
            self._unanswered(records, f"not sent: {self.channel_down}", outcome="not_sent")
            return
        if self.destination.side_effecting:
            self._mark_in_flight(records)
        try:
            verdicts = self.destination.deliver(records)
        except BatchRejectedError as error:
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
                # One message's fate is unknown; the channel answered others, so go on.
                self.summary.in_flight += len(records)
                self.summary.unanswered += len(records)
                self.summary.why = str(error)
                self._log(records, "unknown", str(error))
                return
            self._unanswered(records, str(error))
            self.channel_down = str(error)
            return
        except RetriableError as error:
            # The client has retried with backoff already: the channel is down or throttling.
            self._batch_event("batch_deferred", records, error=str(error))
            self._unanswered(records, str(error))
            self.channel_down = str(error)
            return
        except FatalError:
            # Refused before anything was sent (credentials, configuration): not in flight.
            if self.destination.side_effecting:
                self._unmark_in_flight(records)
            raise
        self._commit(verdicts, records)
        rejected = sum(not verdict.accepted for verdict in verdicts.values())
        self._batch_event("batch_answered", records, accepted=len(records) - rejected, rejected=rejected)
        if time.monotonic() - self.renewed > HEARTBEAT_S:
            renew_lease(self.con, self.sync.name, self.summary.run_id)
            self.renewed = time.monotonic()
        self.channel_down: str | None = None  # set when the channel stopped answering this run

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

    def _unanswered(self, records: list[Record], error: str, outcome: str = "retry_later") -> None:
        """The channel gave no verdict: the rows stay pending for the next run. No attempt is
        counted (attempts count the channel's refusals), so an outage of any length followed by
        recovery delivers every row."""
        self.summary.unanswered += len(records)
        self.summary.why = self.summary.why or error
        self.con.execute("begin transaction")
        self.con.execute(
            f"update {SCHEMA}.sync_pending set status = 'pending', last_error = ?, updated_at = now() "
            "where sync_name = ? and record_key in (select unnest(?::varchar[]))",
            [error, self.sync.name, [r.key for r in records]],
        )
        self._log(records, outcome, error)
        self.con.execute("commit")

    def _commit(self, verdicts: dict[str, Verdict], records: list[Record]) -> None:
        """Apply the channel's verdicts, all rows of the batch in one transaction."""
        by_key = {r.key: r for r in records}
        accepted = [by_key[k] for k, v in verdicts.items() if v.accepted and k in by_key]
        rejected = [
            (by_key[k], redact(v.reason or "rejected"))
            for k, v in verdicts.items()
            if not v.accepted and k in by_key
        ]
        missing = [r for r in records if r.key not in verdicts]
        con, name, run_id = self.con, self.sync.name, self.summary.run_id
        con.execute("begin transaction")
        try:
            con.execute(
                "create or replace temp table verdicts "
                "(record_key varchar, op varchar, accepted boolean, reason varchar, address_json varchar)"
            )
            rows = (
                [(r.key, r.op, True, None, self._address(r)) for r in accepted]
                + [(r.key, r.op, False, reason, None) for r, reason in rejected]
                + [(r.key, r.op, False, "no verdict for this row in the answer", None) for r in missing]
            )
            # Five list parameters unnested in one statement: far faster than a row per call.
            con.execute(
                "insert into verdicts select unnest(?::varchar[]), unnest(?::varchar[]), "
                "unnest(?::boolean[]), unnest(?::varchar[]), unnest(?::varchar[])",
                [list(column) for column in zip(*rows, strict=True)],
            )
            con.execute(
                f"""delete from {SCHEMA}.sync_state where sync_name = ? and record_key in
                (select record_key from verdicts where accepted)""",
                [name],
            )
            con.execute(
                f"""insert into {SCHEMA}.sync_state
                    (sync_name, record_key, payload_hash, payload_json, confirmed_at, run_id, profile_id)
                select ?, p.record_key, p.payload_hash, v.address_json, current_timestamp, ?, p.profile_id
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
        self.summary.sent += len(records)
        self.summary.confirmed += len(accepted)
        self.summary.rejected += len(rejected) + len(missing)
        for record, reason in rejected:
            self.summary.rejections[record.key] = reason or "rejected"

    def _address(self, record: Record) -> str | None:
        """What the ledger keeps of a confirmed row: the fields a later remove needs, nothing
        for an insert sync (it never removes)."""
        if self.sync.mode == "insert":
            return None
        fields = self.destination.address_fields()
        return json.dumps({name: record.fields.get(name) for name in fields}, default=str)

    def _note_forgotten_keys(self, forgotten: str | None) -> None:
        """Temp table forgotten_keys: the ledger's keys of profiles a deletion request forgot,
        taken before the run sends their removes (a confirmed remove drops the state row that
        names the profile)."""
        of_forgotten = f"where sync_name = ? and profile_id in {forgotten or '(select null)'}"
        self.con.execute(
            "create or replace temp table forgotten_keys as "
            f"select record_key from {SCHEMA}.sync_state {of_forgotten} "
            f"union select record_key from {SCHEMA}.sync_pending {of_forgotten}",
            [self.sync.name, self.sync.name],
        )

    def _forget_deleted_profiles(self, forgotten: str | None) -> None:
        """Purge the ledger rows of profiles a deletion request forgot, once the channel no longer
        holds them: the removes this run confirmed, and every row of an insert sync (an SMS
        cannot be unsent). Rows whose remove is still unconfirmed stay until it is."""
        if not forgotten:
            return
        con, name = self.con, self.sync.name
        con.execute("begin transaction")
        try:
            if self.sync.mode == "insert":
                for table in ("sync_state", "sync_pending"):
                    con.execute(
                        f"delete from {SCHEMA}.{table} where sync_name = ? "
                        "and record_key in (select record_key from forgotten_keys)",
                        [name],
                    )
            con.execute(
                f"""delete from {SCHEMA}.sync_changelog where sync_name = ?
                and record_key in (select record_key from forgotten_keys)
                and record_key not in (select record_key from {SCHEMA}.sync_state where sync_name = ?)
                and record_key not in (select record_key from {SCHEMA}.sync_pending where sync_name = ?)""",
                [name, name, name],
            )
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise

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
