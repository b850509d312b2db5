"""Every sync in reverse_etl/syncs.yml (or the file UPSTREAM_SYNC_CONFIG names) as an asset
downstream of its source model, reporting what it planned, sent, confirmed and rejected.

Syncs write their ledger into the DuckDB file, so on DuckDB they share the warehouse's
single-writer pool; on a warehouse with concurrent writers each destination type gets its own pool.
Failed runs are retried with exponential backoff and full jitter (the rows they left are picked up).
"""

import os
from pathlib import Path

import dagster as dg

from orchestration.project import warehouse_path
from reverse_etl import config, ledger, runner
from reverse_etl.destinations import TYPES


def sync_config_path() -> Path:
    return Path(os.environ.get("UPSTREAM_SYNC_CONFIG", config.DEFAULT_CONFIG))


SYNC_RETRY = dg.RetryPolicy(max_retries=3, delay=10, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.FULL)


def _pool(sync: config.SyncConfig) -> str:
    if os.environ.get("UPSTREAM_TARGET", "duckdb") == "duckdb":
        return "duckdb_writer"
    return f"destination_{sync.destination.type}"


def sync_asset(sync: config.SyncConfig) -> dg.AssetsDefinition:
    """The asset that runs one sync."""

    @dg.asset(
        name=f"sync__{sync.name}",
        group_name="syncs",
        deps=[dg.AssetKey(sync.source.split(".")[-1])],
        pool=_pool(sync),
        retry_policy=SYNC_RETRY,
        kinds={"python", sync.destination.type.split("_")[0]},
        description=f"{sync.mode} sync of {sync.source} to {sync.destination.type} (key {sync.key}).",
    )
    def _sync(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        secret = os.environ.get(sync.destination.secret_env) if sync.destination.secret_env else None
        if sync.destination.secret_env and not secret:
            raise dg.Failure(
                f"sync {sync.name}: environment variable {sync.destination.secret_env} is not set"
            )
        destination = TYPES[sync.destination.type](sync.name, sync.destination, secret)
        with ledger.connect(str(warehouse_path())) as con:
            summary = runner.SyncRun(con, sync, destination).execute()
        context.log.info(summary.line())
        return dg.MaterializeResult(
            metadata={
                "planned_adds": summary.planned_adds,
                "planned_updates": summary.planned_updates,
                "planned_removes": summary.planned_removes,
                "sent": summary.sent,
                "confirmed": summary.confirmed,
                "rejected": summary.rejected,
                "retried": summary.retried,
                "in_flight": summary.in_flight,
                "run_duration_s": round(summary.duration_s, 3),
            }
        )

    return _sync


def sync_assets() -> list[dg.AssetsDefinition]:
    return [sync_asset(sync) for sync in config.load(sync_config_path(), set(TYPES)).values()]
