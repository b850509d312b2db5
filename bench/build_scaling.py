"""Benchmark: a full `dbt build` (every model, no tests) on DuckDB at growing event counts, for
docs/engines-and-scaling.md.

    .venv/bin/python bench/build_scaling.py --events 1000000 --events 10000000 --events 50000000

For each size: generate the demo data (timed apart, in a process of its own), then one full
build as of the end of the generated window, in a fresh warehouse file, with the default settings
and the threads a first build gets from Dagster. Prints one JSON line per size: wall time, peak
RSS of the dbt process, the warehouse file size, and the slowest models from run_results.json.
"""

import argparse
import datetime as dt
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchlib import generate_apart
from builds import BUILD, timed_dbt

from datagen.generate import GenerationConfig


def measure(events: int, seed: int, workdir: Path) -> dict:
    db, target = workdir / "warehouse.duckdb", workdir / "target"
    config = GenerationConfig(db_path=db, events=events, seed=seed)
    generated = generate_apart(db, events, seed)
    window_end = config.start_at + dt.timedelta(days=config.days)
    build = timed_dbt(BUILD, db, target, as_of=window_end.strftime("%Y-%m-%d %H:%M:%S"))
    return {
        "events": events,
        "generate_s": round(generated, 1),
        "build_s": build["seconds"],
        "peak_rss_gib": build["peak_rss_gib"],
        "warehouse_gib": round(db.stat().st_size / 2**30, 2),
        "slowest": build["slowest"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, action="append", help="repeatable; default 1M, 10M, 50M")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    for events in args.events or [1_000_000, 10_000_000, 50_000_000]:
        workdir = Path(tempfile.mkdtemp(prefix="upstream-scaling-"))
        try:
            print(json.dumps(measure(events, args.seed, workdir)), flush=True)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
