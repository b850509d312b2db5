"""Benchmark: how fast the demo data generator writes N raw events (target: 10M < 60 s).

    .venv/bin/python bench/datagen_speed.py --events 10000000 [--runs 3]

Each run writes a fresh DuckDB file in a temporary directory; the figure is the wall time of
the whole generation (population, events, raw tables, truth schema, planted rows).
"""

import argparse
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from datagen.generate import GenerationConfig, generate


def main() -> int:
    """Run the generator `--runs` times and print wall times, rows/s and peak memory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    timings, rows = [], 0
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            counts = generate(
                GenerationConfig(db_path=Path(tmp) / "bench.duckdb", events=args.events, seed=args.seed)
            )
            elapsed = time.perf_counter() - started
            counts.pop("seconds")
            rows = sum(counts.values())
            timings.append(elapsed)
            print(f"run {run + 1}: {rows:,} raw rows in {elapsed:.1f}s", flush=True)

    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"datagen --events {args.events:,}: median {statistics.median(timings):.1f}s "
        f"(min {min(timings):.1f}s, max {max(timings):.1f}s) over {args.runs} runs, "
        f"{rows / statistics.median(timings):,.0f} rows/s, peak RSS {peak_mib:,.0f} MiB, "
        f"{os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
