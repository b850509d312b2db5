"""The collector's load step as the head of the asset graph: one asset per raw Segment table,
all materialized by one load of the landing area (collector/loader.py), so the pipeline and the
new-data sensor's fast lane both start by loading what the collector acknowledged.

A warehouse fed by Segment's or RudderStack's own loader has no landing files: the load then
finds nothing and costs a directory listing. On Spark the landing files are read by Spark itself
(docs/engines-and-scaling.md), so there the raw tables stay plain source assets."""

import time

import dagster as dg
import duckdb

from collector.load_command import load_landing_area
from orchestration.dbt_assets import WAREHOUSE_POOL
from upstream_config.warehouse import raw_schema, target_name

LOADED_SOURCE = "segment"
# Another process (a hand-run `python -m collector load`, a reader) may hold the DuckDB file for
# a moment; the load waits for it rather than failing the run.
LOCK_ATTEMPTS = 10
LOCK_WAIT_S = 1.0


def landing_load_asset(source_specs: list[dg.AssetSpec]) -> dg.AssetsDefinition | None:
    """The load as a multi-asset over the Segment source tables, or None where it does not apply."""
    if target_name() not in ("duckdb", "postgres"):
        return None
    specs = [spec for spec in source_specs if spec.key.path[0] == LOADED_SOURCE]

    @dg.multi_asset(
        name="collector_load",
        specs=[spec.replace_attributes(skippable=False) for spec in specs],
        pool=WAREHOUSE_POOL,
        description="Load the collector's landing files into the raw tables, exactly once.",
    )
    def collector_load(context: dg.AssetExecutionContext):
        result = _load_with_retry(context)
        for spec in specs:
            table = spec.key.path[-1]
            yield dg.MaterializeResult(
                asset_key=spec.key,
                metadata={
                    "rows_loaded": dg.MetadataValue.int(result.rows_by_table.get(table, 0)),
                    "table": f"{raw_schema()}.{table}",
                },
            )
        context.log.info(
            f"loaded {result.events} events ({result.rows} rows) from {result.files} landing files"
            + (f"; {len(result.unreadable_lines)} unreadable lines" if result.unreadable_lines else "")
        )
        for problem in result.unreadable_lines:
            context.log.warning(f"unreadable landing line: {problem}")

    return collector_load


def _load_with_retry(context: dg.AssetExecutionContext):
    for attempt in range(1, LOCK_ATTEMPTS + 1):
        try:
            return load_landing_area()
        except duckdb.IOException as error:
            if attempt == LOCK_ATTEMPTS:
                raise
            context.log.warning(f"the warehouse is busy ({error}); loading again in {LOCK_WAIT_S} s")
            time.sleep(LOCK_WAIT_S)
    raise AssertionError("unreachable")
