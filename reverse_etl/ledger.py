"""The sync ledger, in the warehouse (schema upstream_sync): what each destination has confirmed,
what is planned and pending, every run, and every row-level outcome.

Row states in sync_pending: pending (planned, no verdict yet: an outage of any length leaves
rows here, and they go out when the channel is back), in_flight (a side-effecting send went out
and its verdict was not recorded: never re-sent blindly), rejected (the channel said no; retried
next run until max_attempts), dead (rejected max_attempts times; reported by `status`, not
retried until requeued). Only the channel's explicit rejection counts as an attempt.

op_id names a planned operation: kept while the row's op and payload stay the same (retries),
new when they change. sync_leases.heartbeat_at is renewed while a run works, so the lease of a
process that died on another host expires.

sync_state keeps no more personal data than a diff and a remove need: the payload's hash, and
in payload_json only the fields the channel needs to remove the member (its address: an email, a
hashed identifier; none for a webhook, which removes by key); insert syncs, which never remove,
keep the hash alone. profile_id (when the source has one) lets a deletion reach the ledger: the
rows of a forgotten profile are removed from the channel where it can remove, then purged.

sync_state and sync_pending hold one row per (sync_name, record_key); the code keeps it so
(delete, then insert, in one transaction) rather than a primary key, whose index made every
per-batch commit slower as the audience grew.
"""

import duckdb

SCHEMA = "upstream_sync"

DDL = f"""
create schema if not exists {SCHEMA};
create table if not exists {SCHEMA}.sync_state (
    sync_name varchar, record_key varchar, payload_hash varchar, payload_json varchar,
    confirmed_at timestamp, run_id varchar, profile_id varchar
);
create table if not exists {SCHEMA}.sync_pending (
    sync_name varchar, record_key varchar, op varchar, payload_json varchar, payload_hash varchar,
    status varchar, attempts integer, last_error varchar, rejected_reason varchar,
    run_id varchar, planned_at timestamp, updated_at timestamp, op_id varchar, profile_id varchar
);
create table if not exists {SCHEMA}.sync_runs (
    run_id varchar primary key, sync_name varchar, started_at timestamp, finished_at timestamp,
    status varchar, full_resync boolean, planned_adds bigint, planned_updates bigint,
    planned_removes bigint, sent bigint, confirmed bigint, rejected bigint, retried bigint,
    duration_s double, error varchar
);
create table if not exists {SCHEMA}.sync_changelog (
    run_id varchar, sync_name varchar, record_key varchar, op varchar, outcome varchar,
    reason varchar, recorded_at timestamp
);
create table if not exists {SCHEMA}.sync_leases (
    sync_name varchar primary key, run_id varchar, holder varchar, acquired_at timestamp,
    heartbeat_at timestamp
);
-- Ledgers written before these columns existed.
alter table {SCHEMA}.sync_pending add column if not exists op_id varchar;
alter table {SCHEMA}.sync_pending add column if not exists profile_id varchar;
alter table {SCHEMA}.sync_state add column if not exists profile_id varchar;
alter table {SCHEMA}.sync_leases add column if not exists heartbeat_at timestamp;
"""


def connect(path: str) -> duckdb.DuckDBPyConnection:
    """Open the warehouse and make sure the ledger exists."""
    con = duckdb.connect(path)
    con.execute("set TimeZone = 'UTC'")
    # A run commits once per batch; an automatic checkpoint every 16 MB of log would rewrite the
    # ledger tables many times per run. SyncRun checkpoints once when it ends.
    con.execute("set checkpoint_threshold = '1GB'")
    con.execute(DDL)
    return con
