"""A/B of the incremental build (+1% events) or the full build between a git revision and the worktree.

    .venv/bin/python bench/ab_incremental.py --baseline <rev> [--events 10000000] [--runs 3] [--full]

Run-to-run noise on a shared 2-core machine is larger than many changes (the same build has
varied by 25%), so the two sides run interleaved on the same data: the data set is generated
and split like bench/builds.py does, one full build with the baseline's code makes the starting
warehouse, and then each round copies it twice and runs the incremental build once with the
baseline's code (a git worktree) and once with this checkout's. With --full, each round runs the
full build on a copy of the generated warehouse instead. Prints one JSON line per run (with the
longest dependency chain by model time) and a summary: each side's wall times and median, and
the difference within each round.
"""

import argparse
import json
import shutil
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import builds
from benchlib import ROOT, ab_folder, critical_path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", required=True, help="git revision to compare against")
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--full", action="store_true", help="compare full builds, not incremental ones")
    args = parser.parse_args()
    with ab_folder(args.baseline, "upstream-ab-") as (folder, baseline):
        prepared = builds.prepare(args.events, args.seed, folder)
        start = folder / "start"
        start.mkdir()
        shutil.copy(prepared.template, start / "warehouse.duckdb")
        if not args.full:
            builds.timed_dbt(
                builds.BUILD, start / "warehouse.duckdb", start / "target", prepared.cut_at, baseline
            )
            builds.append_incoming(start / "warehouse.duckdb")
        as_of = prepared.cut_at if args.full else prepared.end_at
        times: dict[str, list[float]] = {"baseline": [], "candidate": []}
        for round_number in range(1, args.runs + 1):
            for side, project in (("baseline", baseline), ("candidate", ROOT)):
                run = folder / f"{side}-{round_number}"
                run.mkdir()
                shutil.copy(start / "warehouse.duckdb", run / "warehouse.duckdb")
                result = builds.timed_dbt(
                    builds.BUILD, run / "warehouse.duckdb", run / "target", as_of, project
                )
                result["critical_path_s"] = critical_path(run / "target")
                shutil.rmtree(run)
                times[side].append(result["seconds"])
                print(json.dumps({"side": side, "round": round_number, **result}), flush=True)
        summary = {
            "baseline": args.baseline,
            "build": "full" if args.full else "incremental",
            "events": prepared.events,
            "runs_s": times,
            "median_s": {side: statistics.median(values) for side, values in times.items()},
            "difference_per_round_s": [
                round(c - b, 1) for b, c in zip(times["baseline"], times["candidate"], strict=True)
            ],
        }
        print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
