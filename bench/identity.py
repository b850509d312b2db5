"""Benchmark: the identity models against DuckDB edge extraction + scipy connected components.

    .venv/bin/python bench/identity.py --events 40000000

1. Generates --events raw events (untimed) and builds staging as tables (untimed), so both
   sides read the same staged rows and neither pays for parsing raw JSON-ish text.
2. Reference (timed, own process): DuckDB extracts the co-mention edges of every staged row
   into integer pairs, scipy.sparse.csgraph.connected_components labels them.
3. Upstream (timed, own process): `dbt run --full-refresh` of every model in models/identity (mentions,
   validation, hub guard, edges, label propagation, limits, id_graph, refused links, merges).
Peak memory is the max RSS of each process (os.wait4). The issue's target: at >= 5M
identifiers, Upstream <= 5x the reference.
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

STAGED = {
    "stg_segment__identifies": ["anonymous_id", "user_id", "device_id", "email", "phone"],
    "stg_segment__tracks": ["anonymous_id", "user_id", "device_id", "email", "phone"],
    "stg_segment__pages": ["anonymous_id", "user_id", "email"],
    "stg_segment__screens": ["anonymous_id", "user_id", "device_id", "email"],
    "stg_segment__product_viewed_events": ["anonymous_id", "user_id", "device_id", "email"],
    "stg_segment__product_added_events": ["anonymous_id", "user_id", "device_id", "email"],
    "stg_segment__cart_viewed_events": ["anonymous_id", "user_id", "device_id", "email"],
    "stg_segment__checkout_started_events": ["anonymous_id", "user_id", "device_id", "email", "phone"],
    "stg_segment__order_completed_events": ["anonymous_id", "user_id", "device_id", "email", "phone"],
}
STAGING_AS_TABLES = json.dumps({"upstream__staging_materialization": "table"})


def reference(db_path: str) -> dict:
    """DuckDB co-mention edges + scipy components; returns counts and phase timings."""
    import duckdb
    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    started = time.perf_counter()
    con = duckdb.connect(db_path, read_only=True)
    mentions = " union all ".join(
        f"select message_id, '{column}' as id_type, {column} as id_value from main.{table} "
        f"where {column} is not null"
        for table, columns in STAGED.items()
        for column in columns
    )
    con.execute(f"create temp table m as select distinct message_id, id_type, id_value from ({mentions})")
    con.execute(
        "create temp table ids as select row_number() over () - 1 as ix, id_type, id_value "
        "from (select distinct id_type, id_value from m)"
    )
    edges = con.execute(
        """
        with keyed as (
            select m.message_id, ids.ix,
                   min(ids.ix) over (partition by m.message_id) as anchor
            from m join ids using (id_type, id_value)
        )
        select distinct anchor, ix from keyed where ix <> anchor
        """
    ).fetchnumpy()
    node_count = con.execute("select count(*) from ids").fetchone()[0]
    extracted = time.perf_counter()
    graph = coo_matrix(
        (np.ones(len(edges["anchor"]), dtype=np.int8), (edges["anchor"], edges["ix"])),
        shape=(node_count, node_count),
    )
    components, _ = connected_components(graph, directed=False)
    done = time.perf_counter()
    return {
        "identifiers": int(node_count),
        "edges": len(edges["anchor"]),
        "components": int(components),
        "duckdb_seconds": round(extracted - started, 2),
        "scipy_seconds": round(done - extracted, 2),
        "seconds": round(done - started, 2),
    }


def run_measured(command: list[str], env: dict | None = None) -> tuple[float, int, str]:
    """Run a command; return wall seconds, its peak RSS in MiB, and its stdout."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{output[-4000:]}")
    return elapsed, usage.ru_maxrss // 1024, output


def main() -> int:
    """Generate, stage, then time the reference and the identity models."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=40_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--db", type=Path, help="reuse this generated and staged warehouse")
    parser.add_argument("--reference-only", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.reference_only:
        print(json.dumps(reference(args.reference_only)))
        return 0

    from datagen.generate import GenerationConfig, generate

    python, dbt = sys.executable, str(Path(sys.executable).parent / "dbt")
    workdir = Path(tempfile.mkdtemp(prefix="upstream-bench-"))
    db = args.db or workdir / "bench.duckdb"
    env = {**os.environ, "UPSTREAM_DUCKDB_PATH": str(db)}
    flags = [
        "--project-dir",
        str(ROOT),
        "--profiles-dir",
        str(ROOT),
        "--target-path",
        str(workdir / "target"),
    ]
    if not args.db:
        counts = generate(GenerationConfig(db_path=db, events=args.events, seed=args.seed))
        print(f"generated {sum(v for k, v in counts.items() if k != 'seconds'):,} raw rows", flush=True)
        run_measured([dbt, "seed", *flags], env)
        seconds, _, _ = run_measured(
            [dbt, "run", "--select", "models/staging", "--vars", STAGING_AS_TABLES, *flags], env
        )
        print(f"staged as tables in {seconds:.1f}s (not counted)", flush=True)

    ref_wall, ref_rss, ref_out = run_measured([python, __file__, "--reference-only", str(db)])
    ref = json.loads(ref_out.strip().splitlines()[-1])
    print(f"reference: {ref} wall {ref_wall:.1f}s peak {ref_rss} MiB", flush=True)

    ours_wall, ours_rss, ours_out = run_measured(
        [dbt, "run", "--full-refresh", "--select", "models/identity", "--vars", STAGING_AS_TABLES, *flags],
        env,
    )
    results = json.loads((workdir / "target" / "run_results.json").read_text())
    model_seconds = sum(r["execution_time"] for r in results["results"])
    rounds = [line for line in ours_out.splitlines() if "converged after" in line]
    print(
        f"upstream identity models: wall {ours_wall:.1f}s (models {model_seconds:.1f}s) peak {ours_rss} MiB"
    )
    print("  " + (rounds[-1].strip() if rounds else "no convergence line"))
    print(
        f"RESULT identifiers={ref['identifiers']:,} edges={ref['edges']:,} "
        f"reference={ref['seconds']:.1f}s (duckdb {ref['duckdb_seconds']}s + scipy {ref['scipy_seconds']}s) "
        f"upstream={ours_wall:.1f}s ratio={ours_wall / ref['seconds']:.2f}x "
        f"(models only {model_seconds / ref['seconds']:.2f}x) "
        f"peak_rss reference={ref_rss}MiB upstream={ours_rss}MiB"
    )
    print(f"warehouse kept at {db}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
