"""Command line: `upstream-datagen --events 1000000 --seed 7 --db warehouse/upstream.duckdb`."""

import argparse
import sys
from datetime import datetime
from pathlib import Path

from datagen.generate import GenerationConfig, GenerationError, generate
from upstream_config.warehouse import warehouse_path


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="upstream-datagen",
        description="Write realistic raw Segment tables and their ground truth into DuckDB.",
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=warehouse_path(),
        help="DuckDB file (default: $UPSTREAM_DUCKDB_PATH or warehouse/upstream.duckdb)",
    )
    parser.add_argument("--events", type=int, default=100_000, help="approximate raw rows")
    parser.add_argument("--seed", type=int, default=42, help="same seed, same data")
    parser.add_argument("--raw-schema", default="raw")
    parser.add_argument("--truth-schema", default="truth")
    parser.add_argument(
        "--start",
        type=datetime.fromisoformat,
        default=datetime(2026, 9, 1),
        help="UTC start of the simulated window (ISO date)",
    )
    parser.add_argument("--days", type=int, default=60, help="length of the window in days")
    parser.add_argument("--threads", type=int, default=None, help="DuckDB threads")
    parser.add_argument("--replace", action="store_true", help="overwrite existing raw and truth schemas")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Generate, print per-table row counts, and return a process exit code."""
    args = _parse_args(argv)
    config = GenerationConfig(
        db_path=args.db,
        events=args.events,
        seed=args.seed,
        raw_schema=args.raw_schema,
        truth_schema=args.truth_schema,
        start_at=args.start,
        days=args.days,
        replace=args.replace,
        threads=args.threads,
    )
    try:
        counts = generate(config)
    except GenerationError as error:
        print(f"upstream-datagen: {error}", file=sys.stderr)
        return 2
    seconds = counts.pop("seconds")
    total = sum(counts.values())
    for table, rows in counts.items():
        print(f"  {args.raw_schema}.{table:<18} {rows:>12,}")
    print(f"generated {total:,} raw rows in {seconds:.1f}s (seed {args.seed}) into {args.db}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
