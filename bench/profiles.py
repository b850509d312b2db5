"""Benchmark: profile build time at N events at 1M and 10M.

    .venv/bin/python bench/profiles.py --events 1000000 --events 10000000

For each size: generate (untimed), `dbt build` everything up to the identity graph (untimed),
then time `dbt run --full-refresh --select models/profiles` (attribution, deduplicated orders,
extra traits, profiles, profile history) with the default project settings (staging as views,
so the profile models pay for reading staged rows, as they do in production).
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb
from benchlib import run_dbt

from datagen.generate import GenerationConfig, generate


def main() -> int:
    """Measure each requested size and print one result line per size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, action="append", help="repeatable; default 1M and 10M")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    for events in args.events or [1_000_000, 10_000_000]:
        workdir = Path(tempfile.mkdtemp(prefix="upstream-profiles-"))
        db, target = workdir / "warehouse.duckdb", workdir / "target"
        generate(GenerationConfig(db_path=db, events=events, seed=args.seed))
        run_dbt(["build", "--exclude", "models/profiles"], db, target)
        seconds = run_dbt(["run", "--full-refresh", "--select", "models/profiles"], db, target)
        results = json.loads((target / "run_results.json").read_text())["results"]
        per_model = ", ".join(f"{r['unique_id'].split('.')[-1]} {r['execution_time']:.1f}s" for r in results)
        with duckdb.connect(str(db), read_only=True) as con:
            profiles = con.execute("select count(*) from profiles").fetchone()[0]
        print(
            f"RESULT events={events:,} profiles={profiles:,} profiles_build={seconds:.1f}s ({per_model})",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
