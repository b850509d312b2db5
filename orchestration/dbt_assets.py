"""Every dbt model as an asset and every dbt test as an asset check, built by one `dbt build`.

Materializations carry numbers Dagster can plot: profiles, identifiers, merges, excluded
identifiers, segment sizes with entered / exited / held out, rows each sync model holds and what
governance blocked. They are read from the warehouse once the build has finished (DuckDB has
one writer, and dbt is it while it runs).
"""

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.activation_lane import dbt_args_for_job
from orchestration.build_threads import build_thread_args
from orchestration.dbt_retry_on_lock import connect_read_only, stream_until_started
from orchestration.metrics import model_metrics
from orchestration.project import UPSTREAM_PROJECT
from orchestration.translator import UpstreamTranslator
from upstream_config.warehouse import WarehouseMissingError, existing_warehouse, on_duckdb, warehouse_path

# Every job that writes the DuckDB file runs in this pool, limited to one at a time.
WAREHOUSE_POOL = "duckdb_writer"


def build_args(job_name: str = "") -> list[str]:
    """`dbt build`, one model at a time on a warehouse's first build (build_threads.py), without
    unit tests in the new-data sensor's job (activation_lane.py). A pinned
    instant (replays, the demo) reaches the models as UPSTREAM_AS_OF in the environment dbt
    inherits (macro as_of_text), not as --vars: a changed --vars makes dbt re-parse the whole
    project on every run, seconds on the sensor's path."""
    return ["build", *build_thread_args(warehouse_path()), *dbt_args_for_job(job_name)]


@dbt_assets(
    manifest=UPSTREAM_PROJECT.manifest_path,
    project=UPSTREAM_PROJECT,
    dagster_dbt_translator=UpstreamTranslator(),
    pool=WAREHOUSE_POOL,
)
def upstream_dbt_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """dbt build over the selected models; results enriched with the warehouse's numbers. A
    warehouse path that names no file is refused (dbt would create an empty warehouse there)."""
    if on_duckdb():
        try:
            existing_warehouse()
        except WarehouseMissingError as error:
            raise dg.Failure(description=str(error), allow_retries=False) from None
    events = list(
        stream_until_started(
            lambda: dbt.cli(build_args(context.run.job_name), context=context, raise_on_error=False),
            context.log.warning,
        )
    )
    with connect_read_only(warehouse_path(), context.log.warning) as con:
        for event in events:
            if isinstance(event, dg.Output):
                metrics = model_metrics(con, context.asset_key_for_output(event.output_name).path[-1])
                yield event.with_metadata({**event.metadata, **metrics}) if metrics else event
            else:
                yield event
