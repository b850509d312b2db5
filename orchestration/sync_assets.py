"""Every sync in reverse_etl/syncs.yml (or the file UPSTREAM_SYNC_CONFIG names) as an asset
downstream of its source model, reporting what it planned, sent, confirmed and rejected.

Syncs write their ledger into the DuckDB file, so on DuckDB they share the warehouse's
single-writer pool; on a warehouse with concurrent writers each destination type gets its own pool.

Only transient failures are retried (the channel gave no verdict, the warehouse was busy), with
exponential backoff and full jitter; the rows they left are picked up. A configuration error, a
missing warehouse or a refusal by a safety rail fails at once, saying how to proceed.
"""

import os

import dagster as dg

from reverse_etl import config, ledger, plan, runner
from reverse_etl.config import ConfigError
from reverse_etl.delivery import FatalError
from reverse_etl.destinations import TYPES, build
from upstream_config.warehouse import WarehouseMissingError, existing_warehouse, on_duckdb

# The first retry's delay in seconds (doubling after); tests of outages shorten it.
SYNC_RETRY = dg.RetryPolicy(
    max_retries=3,
    delay=float(os.environ.get("UPSTREAM_SYNC_RETRY_DELAY_S", "10")),
    backoff=dg.Backoff.EXPONENTIAL,
    jitter=dg.Jitter.FULL,
)


class SyncRunConfig(dg.Config):
    """What `python -m reverse_etl run` takes as flags, as run config of the sync's asset."""

    force: bool = False  # send a plan that removes more than max_remove_share of the members
    full_resync: bool = False  # send everything the channel should hold (revives dead rows)


# Failures that retrying cannot mend (configuration, credentials, a safety rail).
PERMANENT = (ConfigError, WarehouseMissingError, runner.RunRefusedError, FatalError, plan.PlanError)


def _pool(sync: config.SyncConfig) -> str:
    if on_duckdb():
        return "duckdb_writer"
    return f"destination_{sync.destination.type}"


def _metadata(summary: runner.RunSummary) -> dict[str, int | float]:
    return {
        "planned_adds": summary.planned_adds,
        "planned_updates": summary.planned_updates,
        "planned_removes": summary.planned_removes,
        "sent": summary.sent,
        "confirmed": summary.confirmed,
        "rejected": summary.rejected,
        "retried": summary.retried,
        "in_flight": summary.in_flight,
        "unanswered": summary.unanswered,
        "run_duration_s": round(summary.duration_s, 3),
    }


def _refusal(sync: config.SyncConfig, error: Exception) -> dg.Failure:
    """A failure that retrying cannot mend, with what to do about it."""
    advice = "fix the sync file or the environment, then materialize the asset again"
    if isinstance(error, runner.RunRefusedError) and "max_remove_share" in str(error):
        advice = (
            "check the source model; to send the removals anyway, launch the run with config "
            f"{{ops: {{sync__{sync.name}: {{config: {{force: true}}}}}}}} (the CLI's --force)"
        )
    return dg.Failure(description=f"{runner.error_text(error)}. To proceed: {advice}", allow_retries=False)


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
    def _sync(context: dg.AssetExecutionContext, config: SyncRunConfig) -> dg.MaterializeResult:
        try:
            destination = build(sync)
            path = existing_warehouse()
            with ledger.connect(str(path)) as con:
                summary = runner.SyncRun(con, sync, destination).execute(
                    force=config.force, full_resync=config.full_resync
                )
        except runner.LeaseHeldError:
            raise  # another run of this sync is still working: a later attempt may go
        except PERMANENT as error:
            raise _refusal(sync, error) from None
        context.log.info(summary.line())
        if summary.status != "completed":
            # The channel gave no verdict for some rows: they stay pending, and a retry sends them.
            raise dg.Failure(description=summary.line(), metadata=_metadata(summary), allow_retries=True)
        return dg.MaterializeResult(metadata=_metadata(summary))

    return _sync


def sync_assets() -> list[dg.AssetsDefinition]:
    return [sync_asset(sync) for sync in config.load(config.config_path(), TYPES).values()]
