"""The dbt sources as Dagster assets, so the graph starts at the raw tables: Segment and governance
inputs in group `raw` with the freshness the source YAML declares (warn after 12 h, fail after
48 h), and the history tables the segment and activation materializations append to."""

import json
from datetime import timedelta

import dagster as dg

from orchestration.project import UPSTREAM_PROJECT

RAW_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(hours=48), warn_window=timedelta(hours=12)
)
STATE_GROUPS = {"segment_history": "segments", "activation_records": "activation"}


def source_specs() -> list[dg.AssetSpec]:
    manifest = json.loads(UPSTREAM_PROJECT.manifest_path.read_text())
    specs = []
    for source in manifest["sources"].values():
        name = source["source_name"]
        group = STATE_GROUPS.get(name, "raw")
        specs.append(
            dg.AssetSpec(
                key=dg.AssetKey([name, source["name"]]),
                group_name=group,
                description=source.get("description") or None,
                freshness_policy=RAW_FRESHNESS if group == "raw" else None,
                kinds={"duckdb"},
            )
        )
    return specs
