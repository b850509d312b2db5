"""A/B of a new-data run (the models the syncs read, after a few new checkouts) between a git
revision and the worktree, on one copy of a built warehouse.

    .venv/bin/python bench/ab_new_data_run.py --baseline <rev> --db <built warehouse> [--runs 2]

bench/latency.py measures the whole path through the Dagster sensor, but its figure moves with
the machine's hour by more than most changes to one model. This runs only what decides it, a
`dbt run` of every model upstream of the configured syncs' sources (the fast lane's models,
without its four key tests), interleaved: one warm-up run with the baseline's code brings the
copy up to now, then each round appends --checkouts fresh checkouts and runs the baseline's code
(a git worktree), appends again and runs this checkout's. Both sides run on the same file in
turn, so each starts from the state the other left. Prints one JSON line per run (wall seconds,
the nodes' time, the longest dependency chain, each model's time for --show) and a summary.
"""

import argparse
import json
import shutil
import statistics
import sys
import uuid
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import builds
import latency
from benchlib import ROOT, ab_folder, append_checkouts, critical_path

CONSENT_MODELS = "int_consent_statements,profile_consent,contact_subscriptions"


def sync_sources() -> list[str]:
    syncs = yaml.safe_load((ROOT / "reverse_etl" / "syncs.yml").read_text())["syncs"]
    return sorted({sync["source"] for sync in syncs})


def timed_run(db: Path, target: Path, project: Path, show: list[str]) -> dict:
    selection = ["run", "-s", *(f"+{source}" for source in sync_sources())]
    result = builds.timed_dbt(selection, db, target, None, project)
    run_results = json.loads((target / "run_results.json").read_text())
    model_s = {r["unique_id"].split(".")[-1]: round(r["execution_time"], 1) for r in run_results["results"]}
    return {
        "seconds": result["seconds"],
        "nodes_s": round(run_results["elapsed_time"], 1),
        "model_sum_s": round(sum(model_s.values()), 1),
        "critical_path_s": critical_path(target),
        "peak_rss_gib": result["peak_rss_gib"],
        "shown_s": {name: model_s.get(name) for name in show},
        "slowest": result["slowest"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", required=True, help="git revision to compare against")
    parser.add_argument("--db", required=True, type=Path, help="a built warehouse (copied, not changed)")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--checkouts", type=int, default=3, help="new checkouts before each run")
    parser.add_argument("--show", default=CONSENT_MODELS, help="comma-separated models to report")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    show = [name for name in args.show.split(",") if name]
    with ab_folder(args.baseline, "upstream-ab-run-") as (folder, baseline):
        db = folder / "warehouse.duckdb"
        shutil.copy(args.db, db)
        customers = latency.pick_customers(db, 2 * args.runs * args.checkouts, args.seed)
        warm_up = timed_run(db, folder / "target-warm-up", baseline, show)
        print(json.dumps({"warm_up": warm_up}), flush=True)
        times: dict[str, list[float]] = {"baseline": [], "candidate": []}
        for round_number in range(1, args.runs + 1):
            for side, project in (("baseline", baseline), ("candidate", ROOT)):
                batch, customers = customers[: args.checkouts], customers[args.checkouts :]
                append_checkouts(db, [(anonymous_id, str(uuid.uuid4())) for _, anonymous_id in batch])
                result = timed_run(db, folder / f"target-{side}", project, show)
                times[side].append(result["nodes_s"])
                print(json.dumps({"side": side, "round": round_number, **result}), flush=True)
        summary = {
            "baseline": args.baseline,
            "nodes_s": times,
            "median_nodes_s": {side: statistics.median(values) for side, values in times.items()},
        }
        print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
