"""Two models' compiled SQL against a built warehouse: each alone, one after the other, side by side.

    .venv/bin/python bench/side_by_side.py --db <built warehouse> --target <dbt target of its build> \
        [--models int_profile_lifetime_traits int_consent_statements] [--memory-limit 3GB]

Shows what two models running at once in one dbt build cost against running them in turn: both
queries run in one DuckDB process under one memory limit, as dbt-duckdb's threads do. The
warehouse is copied and the results are written to temporary tables, so nothing is changed.
`--target` is the folder of the build's compiled SQL (a full build's, for the full build's
queries). Prints one JSON line.
"""

import argparse
import json
import shutil
import tempfile
import threading
import time
from pathlib import Path

import duckdb

# The pair the full build ran side by side before its first build went to one thread.
DEFAULT_MODELS = ["int_profile_lifetime_traits", "int_consent_statements"]


def compiled_sql(target: Path, model: str) -> str:
    matches = list((target / "compiled").rglob(f"models/**/{model}.sql"))
    if len(matches) != 1:
        found = len(matches)
        raise SystemExit(f"expected one compiled {model}.sql under {target / 'compiled'}, found {found}")
    return matches[0].read_text()


def timed(con: duckdb.DuckDBPyConnection, name: str, sql: str) -> float:
    started = time.perf_counter()
    con.cursor().execute(f"create or replace temp table side_by_side_{name} as {sql}")
    return round(time.perf_counter() - started, 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--target", type=Path, required=True)
    parser.add_argument("--models", nargs=2, default=DEFAULT_MODELS)
    parser.add_argument("--memory-limit", default="3GB", help="as profiles.yml sets it")
    args = parser.parse_args()
    queries = {model: compiled_sql(args.target, model) for model in args.models}
    with tempfile.TemporaryDirectory(prefix="side-by-side-") as workdir:
        # Same file name: the compiled SQL names the catalog after it.
        copy = Path(workdir) / args.db.name
        shutil.copy(args.db, copy)
        config = {"memory_limit": args.memory_limit, "preserve_insertion_order": False}
        with duckdb.connect(str(copy), config=config) as con:
            alone = {model: timed(con, model, sql) for model, sql in queries.items()}
            started = time.perf_counter()
            for model, sql in queries.items():
                timed(con, model, sql)
            in_turn = round(time.perf_counter() - started, 2)
            together: dict[str, float] = {}
            threads = [
                threading.Thread(target=lambda m=model, q=sql: together.update({m: timed(con, m, q)}))
                for model, sql in queries.items()
            ]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            side_by_side = round(time.perf_counter() - started, 2)
    print(
        json.dumps(
            {
                "memory_limit": args.memory_limit,
                "alone_s": alone,
                "in_turn_s": in_turn,
                "side_by_side_s": side_by_side,
                "side_by_side_each_s": together,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
