"""The Dagster code location (`dagster dev -m orchestration.definitions`): the collector's load
step, every dbt model an asset, every dbt test an asset check, every sync an asset downstream of
its source model; the pipeline job, the new-data sensor's fast lane, per-sync jobs, schedules, the
sensor and the nightly identity check."""

import dagster as dg

from orchestration.activation_lane import fast_lane_job
from orchestration.collector_load import landing_load_asset
from orchestration.dbt_assets import upstream_dbt_assets
from orchestration.dbt_resource_skip_version_check import UpstreamDbtCliResource
from orchestration.identity_check import identity_consistency_check, nightly_identity_check
from orchestration.project import DBT_EXECUTABLE, UPSTREAM_PROJECT
from orchestration.raw_sources import source_specs
from orchestration.sensors import new_raw_data_sensor_for, pipeline_schedule_for
from orchestration.sync_assets import sync_assets

SYNC_ASSETS = sync_assets()
SOURCE_SPECS = source_specs()
# Where the collector feeds the warehouse, its load step materializes the Segment raw tables.
LANDING_LOAD = landing_load_asset(SOURCE_SPECS)
RAW_ASSETS = (
    [spec for spec in SOURCE_SPECS if spec.key not in LANDING_LOAD.keys] + [LANDING_LOAD]
    if LANDING_LOAD
    else SOURCE_SPECS
)

# Every step of these jobs writes the one DuckDB file, so they run one after another anyway (pool
# duckdb_writer). The in-process executor runs them in the run's own process instead of starting
# a Python process per step, which cost 3 s per sync on the new-data sensor's path.
EXECUTOR = dg.in_process_executor

upstream_pipeline = dg.define_asset_job(
    "upstream_pipeline",
    selection=dg.AssetSelection.all(),
    description="dbt build, then every sync.",
    executor_def=EXECUTOR,
)
segments_and_syncs = dg.define_asset_job(
    "segments_and_syncs",
    selection=dg.AssetSelection.groups("segments", "journeys", "consent", "activation", "syncs"),
    description="Re-evaluate segments and journeys and send the changes, without rebuilding identity.",
    executor_def=EXECUTOR,
)
# What the new-data sensor starts: the syncs and the models they read (activation_lane.py).
activation_fast_lane = fast_lane_job(SYNC_ASSETS, EXECUTOR)
sync_jobs = [
    dg.define_asset_job(
        f"sync_{asset.key.path[-1].removeprefix('sync__')}",
        selection=dg.AssetSelection.assets(asset),
        executor_def=EXECUTOR,
    )
    for asset in SYNC_ASSETS
]

defs = dg.Definitions(
    assets=[*RAW_ASSETS, upstream_dbt_assets, *SYNC_ASSETS],
    jobs=[
        upstream_pipeline,
        segments_and_syncs,
        identity_consistency_check,
        *([activation_fast_lane] if activation_fast_lane else []),
        *sync_jobs,
    ],
    schedules=[pipeline_schedule_for(upstream_pipeline), nightly_identity_check],
    sensors=[new_raw_data_sensor_for(activation_fast_lane, upstream_pipeline)],
    resources={"dbt": UpstreamDbtCliResource(project_dir=UPSTREAM_PROJECT, dbt_executable=DBT_EXECUTABLE)},
)
