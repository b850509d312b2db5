"""How dbt nodes appear in Dagster: grouped by the data-flow folder they live in, so the asset
graph reads raw → staging → identity → profiles → segments / journeys → consent → activation →
syncs; segments get a freshness policy."""

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtProject

# The stage order, written here only: each is a folder of models/ (and of macros/ and tests/), a
# block of dbt_project.yml and a Dagster group, and tests/project/test_layout.py holds those and the docs
# to this order.
STAGES = ("staging", "identity", "profiles", "segments", "journeys", "consent", "activation")
# The asset graph's groups: the raw sources before the stages, the syncs after them.
GROUPS = ("raw", *STAGES, "syncs")
# A segment older than this is stale: the pipeline runs every 15 minutes by default.
SEGMENT_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(hours=2), warn_window=timedelta(hours=1)
)


def stage_of(node: Mapping[str, Any]) -> str | None:
    """The stage folder a manifest node lives in (its Dagster group), or None."""
    return next((part for part in node.get("fqn", [])[1:-1] if part in STAGES), None)


class UpstreamTranslator(DagsterDbtTranslator):
    """Groups by folder; freshness on segments."""

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id) or manifest["sources"].get(unique_id) or {}
        group = stage_of(node)
        if node.get("resource_type") == "seed":
            group = "identity" if node.get("name", "").startswith("identity_") else "seeds"
        attributes: dict[str, Any] = {}
        if group:
            attributes["group_name"] = group
        if (node.get("config") or {}).get("meta", {}).get("segment") is not None:
            attributes["freshness_policy"] = SEGMENT_FRESHNESS
        return spec.replace_attributes(**attributes) if attributes else spec
