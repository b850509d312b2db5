"""Benchmark: profile build time at N events (issue 4 asks for 1M and 10M).

    .venv/bin/python bench/profiles.py --events 1000000 --events 10000000

For each size: generate (untimed), `dbt build` everything up to the identity graph (untimed),
then time `dbt run --full-refresh --select models/profiles` (attribution, deduplicated orders,
extra traits, profiles, profile history) with the default project settings (staging as views,
so the profile models pay for reading staged rows, as they do in production).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from datagen.generate import GenerationConfig, generate  # noqa: E402

DBT = str(Path(sys.executable).parent / "dbt")


def dbt(args: list[str], db: Path, target: Path) -> float:
    """Run dbt against `db`; return wall seconds."""
    started = time.perf_counter()
    subprocess.run(
        [
            DBT,
            *args,
            "--quiet",
            "--project-dir",
            str(ROOT),
            "--profiles-dir",
            str(ROOT),
            "--target-path",
            str(target),
        ],
        env={**os.environ, "UPSTREAM_DUCKDB_PATH": str(db)},
        check=True,
    )
    return time.perf_counter() - started


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
        dbt(["build", "--exclude", "models/profiles"], db, target)
        seconds = dbt(["run", "--full-refresh", "--select", "models/profiles"], db, target)
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
