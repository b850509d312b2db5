"""`make bench`: the performance suite, at 1M and 10M events by default.

    .venv/bin/python bench/suite.py [--sizes 1000000 10000000] [--runs 3] [--latency-at 10000000]

Per size, on data the demo generator makes (seed 42):
- full `dbt build` and the incremental build after 1% new events (bench/builds.py), --runs
  times each, median wall time and the highest peak RSS;
- the identity models against the connected-components reference (bench/identity.py);
- sync plan and throughput for an audience as large as the profile table (bench/reverse_etl_throughput.py);
- at the sizes in --latency-at: event-to-channel latency with the collector and the Dagster sensor,
  background traffic flowing (bench/latency.py).
Writes bench/results/<date>.json and .md, and prints the markdown.
"""

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import builds
import duckdb
import latency
import reverse_etl_throughput
from benchlib import ROOT

TARGETS = {
    "full_10m_s": 120,
    "incremental_share": 0.15,
    "latency_p95_s": 60,
    "peak_rss_gib": 4 * 10**9 / 2**30,  # 4 GB
}


def identity_vs_reference(db: Path, as_of: str, folder: Path) -> dict:
    """bench/identity.py's reference (own process) and the identity models' full refresh."""
    reference = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "identity.py"), "--reference-only", str(db)],
        check=True,
        capture_output=True,
        text=True,
    )
    figures = json.loads(reference.stdout.strip().splitlines()[-1])
    ours = builds.timed_dbt(
        ["run", "--full-refresh", "--select", "models/identity"],
        db,
        folder / "target-identity",
        as_of=as_of,
    )
    return {
        "identifiers": figures["identifiers"],
        "reference_s": figures["seconds"],
        "upstream_s": ours["seconds"],
        "ratio": round(ours["seconds"] / figures["seconds"], 2),
        "upstream_peak_rss_gib": ours["peak_rss_gib"],
    }


def measure_size(events: int, args: argparse.Namespace, folder: Path) -> dict:
    runs, seed = args.runs, args.seed
    prepared = builds.prepare(events, seed, folder)
    print(
        f"[{events:,}] generated in {prepared.generate_s}s; full build sees {prepared.events:,} rows, "
        f"{prepared.new_events:,} arrive after {prepared.cut_at}",
        flush=True,
    )
    fulls, incrementals, kept = [], [], None
    for run in range(runs):
        run_folder = folder / f"run{run}"
        run_folder.mkdir()
        full, incremental, db = builds.full_and_incremental(prepared, run_folder)
        print(
            f"[{events:,}] run {run + 1}: full {full['seconds']}s, incremental {incremental['seconds']}s",
            flush=True,
        )
        fulls.append(full)
        incrementals.append(incremental)
        if kept:
            shutil.rmtree(kept.parent, ignore_errors=True)
        kept = db
    with duckdb.connect(str(kept), read_only=True) as con:
        profiles = con.execute("select count(*) from main.profiles").fetchone()[0]
    result = {
        "events": prepared.events,
        "new_events": prepared.new_events,
        "profiles": profiles,
        "generate_s": prepared.generate_s,
        "full": summarize(fulls),
        "incremental": summarize(incrementals),
    }
    result["incremental_share"] = round(result["incremental"]["median_s"] / result["full"]["median_s"], 3)
    if events in args.latency_at:
        print(f"[{events:,}] latency with the Dagster sensor ...", flush=True)
        latency_folder = folder / "latency"
        latency_folder.mkdir()
        copy = latency_folder / "warehouse.duckdb"
        shutil.copy(kept, copy)
        result["latency"] = latency.measure(
            copy,
            args.latency_events,
            args.latency_every,
            args.sensor_interval,
            seed,
            latency_folder,
            args.background_rate,
        )
    print(f"[{events:,}] identity vs reference ...", flush=True)
    result["identity"] = identity_vs_reference(kept, prepared.end_at, folder)
    print(f"[{events:,}] sync plan and throughput ...", flush=True)
    result["sync"] = reverse_etl_throughput.measure(max(profiles, 1000), 1000)
    return result


def summarize(runs: list[dict]) -> dict:
    """Median wall time, the highest peak RSS, and the slowest models of the median run."""
    ordered = sorted(runs, key=lambda run: run["seconds"])
    middle = ordered[(len(ordered) - 1) // 2]
    return {
        "median_s": round(statistics.median(run["seconds"] for run in runs), 1),
        "runs_s": [run["seconds"] for run in runs],
        "peak_rss_gib": max(run["peak_rss_gib"] for run in runs),
        "outside_nodes_s": middle["outside_nodes_s"],
        "slowest": middle["slowest"],
    }


def markdown(results: list[dict], date: str) -> str:
    lines = [
        f"## make bench, {date}",
        "",
        f"Machine: {platform.machine()}, {machine_cores()} cores, Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}.",
        "",
        "| events | profiles | full build (median) | incremental, +1% events (median) | incr / full "
        "| peak RSS | identity (ours / reference) | sync adds/s | latency p50 / p95 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lat = r.get("latency")
        latency_cell = f"{lat['p50_s']} / {lat['p95_s']} s" if lat else "not measured"
        lines.append(
            f"| {r['events']:,} | {r['profiles']:,} | {r['full']['median_s']} s {r['full']['runs_s']} "
            f"| {r['incremental']['median_s']} s {r['incremental']['runs_s']} | {r['incremental_share']:.1%} "
            f"| {max(r['full']['peak_rss_gib'], r['incremental']['peak_rss_gib'])} GiB "
            f"| {r['identity']['upstream_s']} / {r['identity']['reference_s']} s ({r['identity']['ratio']}x) "
            f"| {r['sync']['adds_per_s']:,} "
            f"| {latency_cell} |"
        )
    for r in results:
        lines += [
            "",
            f"Slowest models at {r['events']:,} events, full: {fmt(r['full']['slowest'])}; "
            f"incremental: {fmt(r['incremental']['slowest'])} (outside the models: "
            f"{r['incremental']['outside_nodes_s']} s).",
        ]
    return "\n".join(lines) + "\n"


def fmt(models: dict) -> str:
    return ", ".join(f"{name} {seconds} s" for name, seconds in models.items())


def machine_cores() -> int:
    return len(os.sched_getaffinity(0))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency-at", type=int, nargs="*", default=[10_000_000])
    parser.add_argument("--latency-events", type=int, default=30, help="checkouts appended (>= 20)")
    parser.add_argument("--latency-every", type=float, default=8.0, help="mean seconds between them")
    parser.add_argument("--sensor-interval", type=int, default=5, help="seconds between sensor looks")
    parser.add_argument("--background-rate", type=float, default=20.0, help="page views per second meanwhile")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    started = time.perf_counter()
    results = []
    for events in args.sizes:
        folder = Path(tempfile.mkdtemp(prefix=f"upstream-bench-{events}-"))
        try:
            results.append(measure_size(events, args, folder))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    date = dt.date.today().isoformat()
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    report = {
        "date": date,
        "targets": TARGETS,
        "suite_s": round(time.perf_counter() - started),
        "sizes": results,
    }
    (out / f"{date}.json").write_text(json.dumps(report, indent=2) + "\n")
    text = markdown(results, date)
    (out / f"{date}.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
