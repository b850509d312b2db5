"""Where a small run's time goes: the dbt build the new-data sensor starts for a few new events.

    .venv/bin/python bench/hot_path.py --db <a built warehouse> [--events 30]

On a copy of the warehouse: one incremental build as of now (it brings the copy up to date and
is not reported), then `--events` fresh checkouts for known customers (as a warehouse loader
writes them) and `dbt build` with its data tests, then as many again and the same build without
data tests. Prints one JSON line per build: wall time, time outside the models, data tests' own
time, peak RSS, the longest dependency chain by model time and the slowest nodes.
"""

import argparse
import json
import shutil
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import builds
import latency
from benchlib import append_checkouts, critical_path


def timed_build(db: Path, target: Path, args: list[str], events: int, seed: int) -> dict:
    customers = latency.pick_customers(db, events, seed)
    append_checkouts(db, [(anonymous_id, f"bench_{uuid.uuid4().hex[:12]}") for _, anonymous_id in customers])
    result = builds.timed_dbt(args, db, target)
    results = json.loads((target / "run_results.json").read_text())["results"]
    tests = [r for r in results if r["unique_id"].startswith("test.")]
    return {
        "build": " ".join(args),
        "seconds": result["seconds"],
        "outside_nodes_s": result["outside_nodes_s"],
        "data_tests_s": round(sum(r["execution_time"] for r in tests), 1),
        "critical_path_s": critical_path(target),
        "peak_rss_gib": result["peak_rss_gib"],
        "slowest": result["slowest"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="a built warehouse (copied, not changed)")
    parser.add_argument("--events", type=int, default=30)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="upstream-hot-path-"))
    try:
        db = workdir / "warehouse.duckdb"
        shutil.copy(args.db, db)
        builds.timed_dbt(builds.BUILD, db, workdir / "target")  # as of now: bring the copy up to date
        for seed, build in enumerate((["build", "--exclude-resource-type", "unit_test"], builds.BUILD)):
            print(json.dumps(timed_build(db, workdir / "target", build, args.events, seed)), flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
