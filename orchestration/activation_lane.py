"""The new-data sensor's job, `activation_fast_lane`: what the configured syncs need, and no more.

An event reaches a channel after one run of the job the sensor starts, and often after waiting for
the run before it too (DuckDB has one writer), so that run's length sets the event-to-activation
latency. `upstream_pipeline` builds every model, runs the project's 19 dbt unit tests
and its 130 data tests, and only then syncs. This job builds only the models upstream of a sync,
checks only the activation models the syncs read (their key tests: a duplicated or missing
sync_key would reach the channel), and runs no unit tests (they test the SQL against fixtures,
not the data: CI's business). Models no sync reads (profile_changes, the other segments, the
reports) and the data tests of the big upstream tables run in `upstream_pipeline` on its
schedule; while its latest run has failed, the sensor starts it instead of this job
(sensors.py), so a failing data test still stops the syncs.
"""

import dagster as dg

FAST_LANE_JOB = "activation_fast_lane"


def fast_lane_selection(sync_assets: list[dg.AssetsDefinition]) -> dg.AssetSelection:
    """Every materializable asset upstream of a sync, the syncs included, with only the data tests
    of the sync models themselves."""
    needed = dg.AssetSelection.assets(*sync_assets).upstream().materializable()
    sync_models = sorted({key for sync in sync_assets for key in sync.dependency_keys})
    return needed.without_checks() | dg.AssetSelection.checks_for_assets(*sync_models)


def fast_lane_job(sync_assets: list[dg.AssetsDefinition], executor: dg.ExecutorDefinition):
    """The job, or None when no sync is configured (the sensor then starts the full pipeline)."""
    if not sync_assets:
        return None
    return dg.define_asset_job(
        FAST_LANE_JOB,
        selection=fast_lane_selection(sync_assets),
        description="The new-data sensor's run: the models the syncs read, their key tests, the syncs.",
        executor_def=executor,
    )


def dbt_args_for_job(job_name: str) -> list[str]:
    """What this job leaves out of `dbt build` beyond Dagster's selection: the unit tests."""
    return ["--exclude-resource-type", "unit_test"] if job_name == FAST_LANE_JOB else []
