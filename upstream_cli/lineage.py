"""Write docs/lineage.md: the asset graph as Dagster groups it, drawn from the dbt manifest and the
sync file, so the picture in the docs is the graph the code builds.

    python -m upstream_cli.lineage            # rewrite docs/lineage.md
    python -m upstream_cli.lineage --check    # exit 1 when docs/lineage.md is out of date

One Mermaid flowchart of the stages (an arrow where a model of one stage reads a model of another,
labelled with how many such reads), then every stage's models. Models are many and their edges
more; stage by stage, each name stays legible.
"""

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

from orchestration.raw_sources import STATE_GROUPS
from orchestration.translator import GROUPS, stage_of
from reverse_etl import config
from reverse_etl.destinations import TYPES

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "lineage.md"


def node_group(node: dict) -> str | None:
    """The Dagster group of a manifest node: its stage folder, raw for sources."""
    if node.get("resource_type") == "source":
        return "raw" if node.get("source_name") not in STATE_GROUPS else None
    return stage_of(node)


def stage_graph(manifest: dict, syncs: dict) -> tuple[Counter, dict[str, list[str]]]:
    """Reads between groups, and each group's members."""
    nodes = {**manifest["nodes"], **manifest["sources"]}
    members: dict[str, list[str]] = defaultdict(list)
    reads: Counter = Counter()
    for node in nodes.values():
        group = node_group(node)
        if node.get("resource_type") not in ("model", "source") or group is None:
            continue
        members[group].append(node["name"] if group != "raw" else f"{node['source_name']}.{node['name']}")
        for parent in node.get("depends_on", {}).get("nodes", []):
            parent_group = node_group(nodes.get(parent, {}))
            if parent_group and parent_group != group:
                reads[(parent_group, group)] += 1
    for sync in syncs.values():
        members["syncs"].append(f"sync__{sync.name} ← {sync.source}")
        reads[("activation", "syncs")] += 1
    return reads, members


def render(manifest: dict, syncs: dict) -> str:
    reads, members = stage_graph(manifest, syncs)
    lines = [
        "# Lineage",
        "",
        "The asset graph as Dagster shows it (`make dev`, Lineage), one box per group. An arrow is a",
        "read of one stage's model by another's, labelled with how many there are. Generated from",
        "the dbt manifest and `reverse_etl/syncs.yml` by `python -m upstream_cli.lineage`; a test",
        "fails when this page and the code disagree.",
        "",
        "```mermaid",
        "flowchart LR",
    ]
    lines += [f"    {group}[{group}: {len(members[group])}]" for group in GROUPS if members[group]]
    order = {group: position for position, group in enumerate(GROUPS)}
    for (source, target), count in sorted(
        reads.items(), key=lambda item: (order[item[0][0]], order[item[0][1]])
    ):
        lines.append(f"    {source} -->|{count}| {target}")
    lines += ["```", ""]
    for group in GROUPS:
        if members[group]:
            lines += [f"## {group}", "", ", ".join(f"`{name}`" for name in sorted(members[group])), ""]
    return "\n".join(lines)


def current_page() -> str:
    from orchestration.project import UPSTREAM_PROJECT  # parses the project when the manifest is stale

    manifest = json.loads(UPSTREAM_PROJECT.manifest_path.read_text())
    return render(manifest, config.load(config.DEFAULT_CONFIG, TYPES))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the page is out of date")
    args = parser.parse_args(argv)
    page = current_page()
    if args.check:
        if PAGE.read_text() != page:
            print(f"{PAGE} is out of date: run python -m upstream_cli.lineage", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
