"""Benchmark: the collector on this machine's two cores, durable (every 200 is fsync'd), with
its load generator on the same cores.

    .venv/bin/python bench/collector_speed.py [--seconds 10] [--workers 2]

1. batched: batches of 100 track events (the SDKs' default flushAt), as many as 32 keep-alive
   connections get answered: accepted events/s;
2. single: one track event per request on 64 connections: requests/s;
3. latency: single-event requests at 1,000/s on a fixed schedule: acknowledgement p50/p99/max;
4. every acknowledged event is in the landing files (counted after the collector stops);
5. load: those landing files into a fresh DuckDB warehouse (`collector.loader`): rows/s.
Prints one JSON line; targets: >= 20,000 events/s batched, >= 3,000 requests/s single,
p99 < 50 ms at 1,000 events/s, load >= 100,000 rows/s.
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import orjson
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import http_load
from bench.benchlib import ROOT
from collector.loader import load
from collector.raw_duckdb import DuckDBRawTables

KEY = "bench-key"
HOST = "127.0.0.1"
TARGETS = {
    "batched_events_per_s": 20_000,
    "single_requests_per_s": 3_000,
    "p99_ms": 50,
    "load_rows_per_s": 100_000,
}


def _event(message_id: str) -> dict:
    return {
        "type": "track",
        "event": "Product Viewed",
        "anonymousId": "anon-" + message_id,
        "messageId": message_id,
        "timestamp": "2026-12-06T10:00:00.000Z",
        "context": {"library": {"name": "bench", "version": "1"}, "page": {"url": "https://shop/p/1"}},
        "properties": {"product_id": "p-1", "sku": "SKU-1", "price": 19.99, "category": "shoes"},
    }


def batch_body_maker(port: int):
    template = orjson.dumps(
        {"batch": [_event(f"@@-{n}") for n in range(100)], "sentAt": "2026-12-06T10:00:01.000Z"}
    )
    return lambda number: http_load.request_bytes(
        HOST, port, "/v1/batch", KEY, template.replace(b"@@", b"b%d" % number)
    )


def single_body_maker(port: int, prefix: bytes):
    template = orjson.dumps(_event("@@"))
    return lambda number: http_load.request_bytes(
        HOST, port, "/v1/track", KEY, template.replace(b"@@", prefix + b"%d" % number)
    )


def start_collector(port: int, landing: Path, workers: int) -> subprocess.Popen:
    env = {**os.environ, "UPSTREAM_WRITE_KEYS": f"bench={KEY}", "UPSTREAM_LANDING_DIR": str(landing)}
    process = subprocess.Popen(
        [sys.executable, "-m", "collector", "serve", "--port", str(port), "--workers", str(workers)],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(300):
        try:
            requests.get(f"http://{HOST}:{port}/health", timeout=1)
            return process
        except requests.ConnectionError:
            time.sleep(0.1)
    raise SystemExit("the collector did not start")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=18765)
    args = parser.parse_args(argv)
    folder = ROOT / "warehouse" / "bench-collector"
    shutil.rmtree(folder, ignore_errors=True)
    landing = folder / "landing"
    collector = start_collector(args.port, landing, args.workers)
    try:
        http_load.closed_loop(HOST, args.port, single_body_maker(args.port, b"w"), 8, 1.0)  # warm-up
        batched = http_load.closed_loop(HOST, args.port, batch_body_maker(args.port), 32, args.seconds)
        single = http_load.closed_loop(HOST, args.port, single_body_maker(args.port, b"s"), 64, args.seconds)
        paced = http_load.open_loop(HOST, args.port, single_body_maker(args.port, b"l"), 1000, args.seconds)
    finally:
        os.killpg(collector.pid, signal.SIGTERM)
        collector.wait(timeout=60)
    acknowledged = batched.ok() * 100 + single.ok() + paced.ok()
    landed = sum(path.read_bytes().count(b"\n") for path in landing.iterdir() if path.is_file())
    tables = DuckDBRawTables(folder / "upstream.duckdb", "raw")
    started = time.perf_counter()
    loaded = load(landing, tables)
    load_seconds = time.perf_counter() - started
    tables.close()
    result = {
        "workers": args.workers,
        "batched_events_per_s": round(batched.ok() * 100 / args.seconds),
        "batched_p99_ms": round(percentile(batched.latencies_ms, 0.99), 1),
        "single_requests_per_s": round(single.ok() / args.seconds),
        "single_p99_ms": round(percentile(single.latencies_ms, 0.99), 1),
        "paced_rate": 1000,
        "p50_ms": round(statistics.median(paced.latencies_ms), 2),
        "p99_ms": round(percentile(paced.latencies_ms, 0.99), 2),
        "max_ms": round(max(paced.latencies_ms), 2),
        "non_200": {
            "batched": sum(n for s, n in batched.statuses.items() if s != 200),
            "single": sum(n for s, n in single.statuses.items() if s != 200),
            "paced": sum(n for s, n in paced.statuses.items() if s != 200),
        },
        "acknowledged_events": acknowledged,
        "landed_events": landed,
        "loaded_events": loaded.events,
        "loaded_rows": loaded.rows,
        "load_seconds": round(load_seconds, 2),
        "load_rows_per_s": round(loaded.rows / load_seconds),
        "load_events_per_s": round(loaded.events / load_seconds),
    }
    result["targets_met"] = {
        "batched": result["batched_events_per_s"] >= TARGETS["batched_events_per_s"],
        "single": result["single_requests_per_s"] >= TARGETS["single_requests_per_s"],
        "p99": result["p99_ms"] < TARGETS["p99_ms"],
        "load": result["load_rows_per_s"] >= TARGETS["load_rows_per_s"],
        "nothing_lost": landed >= acknowledged and loaded.events == landed,
    }
    print(json.dumps(result))
    shutil.rmtree(folder, ignore_errors=True)
    return result


if __name__ == "__main__":
    main()
