"""Benchmark: event-to-channel latency with the collector and the Dagster sensor in the loop.

    .venv/bin/python bench/latency.py --db <a built warehouse> [--events 30] [--every 8]
        [--background-rate 20]

On a copy of a warehouse that a full build has made:
1. The demo webhook channel listens on 127.0.0.1 (in this process); a syncs file points the two
   webhook syncs at it. The collector runs (`python -m collector serve`) with its landing area in
   the run's folder. One `upstream_pipeline` run (as of now) brings the warehouse and the ledger
   up to date before the clock starts.
2. A Dagster daemon runs the `new_raw_data` sensor (looking every UPSTREAM_SENSOR_INTERVAL_SECONDS
   for closed landing files) in a fresh DAGSTER_HOME; each run it starts is the real job:
   `activation_fast_lane` (the load step, the dbt build of what the syncs read, every sync).
3. Background traffic flows through the collector all the while: page views of known visitors
   at --background-rate events/s, sent by segment-analytics-python with its default batching.
4. Every --every seconds (jittered) a known customer starts a checkout with no order:
   segment-analytics-python sends a `Checkout Started` track to the collector. Its latency runs
   from the moment the SDK is called until the channel holds the cart_abandoners_webhook record
   with that checkout_id.
A checkout whose profile the segment holds out (holdout_share) is never sent, by design; it is
counted apart. Prints one JSON line: p50 / p95 / max, and per run the sensor started: how long
its events waited for it, its launch, dbt's start-up, its slowest models and each step.
"""

import argparse
import base64
import json
import math
import os
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests
from benchlib import ROOT, critical_path
from segment.analytics.client import Client as SegmentClient

from reverse_etl.sandbox import WebhookChannel, make_server

SYNC_NAME = "cart_abandoners_webhook"
WRITE_KEY = "latency-bench-key"
CONSENT = {
    "categoryPreferences": {
        c: True for c in ("email_marketing", "sms_marketing", "advertising", "personalization")
    }
}
SEGMENT = "cart_abandoned_24h"
BIN = Path(sys.executable).parent
DBT_ARTIFACTS = ROOT / "target" / "dagster"


def iso_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def write_syncs_file(path: Path, port: int) -> None:
    """The shipped syncs.yml with every webhook URL pointed at this run's channel."""
    syncs = yaml.safe_load((ROOT / "reverse_etl" / "syncs.yml").read_text())
    for sync in syncs["syncs"]:
        if sync["destination"]["type"] == "webhook":
            sync["destination"]["url"] = f"http://127.0.0.1:{port}/hook"
    path.write_text(yaml.safe_dump(syncs))


def pick_customers(db: Path, count: int, seed: int) -> list[tuple[str, str]]:
    """(profile_id, anonymous_id) of `count` profiles that have an anonymous id, spread by hash."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            """
            select profile_id, min(id_value) as anonymous_id
            from main.id_graph
            where id_type = 'anonymous_id'
            group by profile_id
            order by hash(profile_id || ?)
            limit ?
            """,
            [str(seed), count],
        ).fetchall()


def read_when_free(db: Path, query: str, parameters: list, timeout_s: float = 600) -> list[tuple]:
    """Run a read-only query once no run holds the warehouse (a launched run outlives the daemon)."""
    deadline = time.time() + timeout_s
    while True:
        try:
            with duckdb.connect(str(db), read_only=True) as con:
                return con.execute(query, parameters).fetchall()
        except duckdb.IOException:
            if time.time() > deadline:
                raise
            time.sleep(1)


def held_out(db: Path, profile_ids: list[str]) -> set[str]:
    rows = read_when_free(
        db,
        "select profile_id from main.segment_membership "
        "where segment_name = ? and is_holdout and list_contains(?, profile_id)",
        [SEGMENT, profile_ids],
    )
    return {row[0] for row in rows}


def dagster_runs(dagster_home: Path) -> list[dict]:
    """Every finished run, oldest first: when it was requested, launched, started and ended, and
    each step's start and length (the load, dbt, each sync)."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        runs = []
        for record in reversed(instance.get_run_records()):
            run_id = record.dagster_run.run_id
            stats = instance.get_run_stats(run_id)
            if not (stats.start_time and stats.end_time):
                continue
            steps: dict[str, dict] = {}
            kinds = {
                dg.DagsterEventType.STEP_START,
                dg.DagsterEventType.STEP_SUCCESS,
                dg.DagsterEventType.STEP_FAILURE,
            }
            error = None
            for entry in instance.all_logs(run_id, of_type=kinds):
                step = steps.setdefault(entry.step_key, {})
                if entry.dagster_event.event_type == dg.DagsterEventType.STEP_START:
                    step["start"] = entry.timestamp
                else:
                    step["end"] = entry.timestamp
                if entry.dagster_event.event_type == dg.DagsterEventType.STEP_FAILURE:
                    failure = entry.dagster_event.event_specific_data.error
                    error = (
                        f"{entry.step_key}: {failure.message.strip()[:300]}" if failure else entry.step_key
                    )
            runs.append(
                {
                    "job": record.dagster_run.job_name,
                    "status": record.dagster_run.status.value,
                    "requested": record.create_timestamp.timestamp(),
                    "started": stats.start_time,
                    "ended": stats.end_time,
                    "steps": {
                        key: (step["start"], step["end"] - step["start"])
                        for key, step in steps.items()
                        if "start" in step and "end" in step
                    },
                    "error": error,
                    **dbt_step_profile(run_id),
                }
            )
        return runs


def dbt_step_profile(run_id: str) -> dict:
    """Where a run's dbt build spent its time: dagster-dbt leaves each invocation's artifacts in
    target/dagster/<step>-<first 7 characters of the run id>-<suffix>/."""
    found = sorted(DBT_ARTIFACTS.glob(f"upstream_dbt_assets-{run_id[:7]}-*/run_results.json"))
    if not found:
        return {}
    results = json.loads(found[-1].read_text())
    nodes = sorted(results["results"], key=lambda r: r["execution_time"], reverse=True)
    return {
        "dbt_nodes": len(nodes),
        "dbt_nodes_s": round(results["elapsed_time"], 1),
        "dbt_critical_path_s": critical_path(found[-1].parent),
        "slowest_models": {r["unique_id"].split(".")[-1]: round(r["execution_time"], 1) for r in nodes[:8]},
    }


def breakdown(run: dict, previous_end: float | None, events: list[float]) -> dict:
    """One run the sensor started, taken apart: how long its events waited from the SDK call to
    the run's load step, how long the run queued behind the run before it (DuckDB has one
    writer), Dagster's launch (run process start, code location load), the load step, dbt's
    start-up (the dbt step less the time its nodes ran), dbt's nodes, the syncs."""
    steps = run["steps"]
    dbt = steps.get("upstream_dbt_assets")
    load = steps.get("collector_load")
    free = max(run["requested"], previous_end or 0)
    return {
        "job": run["job"],
        "status": run["status"],
        "error": run.get("error"),
        "events": len(events),
        "waiting_s": round(max(load[0] - happened for happened in events), 1) if events and load else None,
        "queued_s": round(max(0.0, free - run["requested"]), 1),
        "launch_s": round(run["started"] - free, 1),
        "load_s": round(load[1], 1) if load else None,
        "dbt_step_s": round(dbt[1], 1) if dbt else None,
        "dbt_startup_s": round(dbt[1] - run.get("dbt_nodes_s", 0), 1) if dbt else None,
        "dbt_nodes_s": run.get("dbt_nodes_s"),
        "dbt_critical_path_s": run.get("dbt_critical_path_s"),
        "slowest_models": run.get("slowest_models"),
        "syncs_s": {key: round(length, 1) for key, (_, length) in steps.items() if key.startswith("sync__")},
        "run_s": round(run["ended"] - run["started"], 1),
    }


def start_collector(workdir: Path, env: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "collector", "serve", "--port", str(port)],
        env={**env, "UPSTREAM_WRITE_KEYS": f"bench={WRITE_KEY}"},
        cwd=ROOT,
        stdout=(workdir / "collector.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            requests.get(f"{url}/health", timeout=1)
            return process, url
        except requests.ConnectionError:
            time.sleep(0.1)
    raise SystemExit("the collector did not start")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def background_traffic(url: str, visitors: list[str], rate: float, stop: threading.Event) -> int:
    """Page views of known visitors at `rate` per second until stopped, batched as the SDK does."""
    client = SegmentClient(WRITE_KEY, host=url, max_retries=10)
    sent, started, rng = 0, time.time(), random.Random(1)
    while not stop.is_set():
        if sent < (time.time() - started) * rate:
            client.page(anonymous_id=rng.choice(visitors), name="Product", properties={"path": "/p"})
            sent += 1
        else:
            time.sleep(0.01)
    client.flush()
    client.shutdown()
    return sent


def measure(
    db: Path,
    events: int,
    every_s: float,
    interval_s: int,
    seed: int,
    workdir: Path,
    background_rate: float,
    quiet_s: float = 300,
) -> dict:
    dagster_home = workdir / "dagster"
    dagster_home.mkdir(parents=True)
    shutil.copy(ROOT / "orchestration" / "dagster.yaml", dagster_home / "dagster.yaml")
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    channel = WebhookChannel(secret=secret)
    server = make_server(channel, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    syncs_file = workdir / "syncs.yml"
    write_syncs_file(syncs_file, server.server_address[1])
    env = {
        **{k: v for k, v in os.environ.items() if k != "UPSTREAM_AS_OF"},  # as of now, like production
        "UPSTREAM_DUCKDB_PATH": str(db),
        "UPSTREAM_LANDING_DIR": str(workdir / "landing"),
        "DAGSTER_HOME": str(dagster_home),
        "UPSTREAM_SYNC_CONFIG": str(syncs_file),
        "UPSTREAM_WEBHOOK_SECRET": secret,
        "UPSTREAM_SENSOR_INTERVAL_SECONDS": str(interval_s),
    }
    (workdir / "landing").mkdir()
    collector, url = start_collector(workdir, env)
    dagster = [str(BIN / "dagster")]
    location = ["-m", "orchestration.definitions"]
    started = time.perf_counter()
    subprocess.run(
        [*dagster, "job", "execute", *location, "-j", "upstream_pipeline"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    warm_up_s = time.perf_counter() - started
    subprocess.run(
        [*dagster, "sensor", "start", "new_raw_data", *location],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    log = (workdir / "daemon.log").open("w")
    daemon = subprocess.Popen(
        [str(BIN / "dagster-daemon"), "run", *location],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    customers = pick_customers(db, events + 200, seed)
    checkouts, visitors = customers[:events], [anonymous_id for _, anonymous_id in customers[events:]]
    sent: dict[str, tuple[str, float]] = {}  # checkout_id -> (profile_id, when the SDK was called)
    received: dict[str, float] = {}
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            with channel.lock:
                held = list(channel.held.get(SYNC_NAME, {}).values())
            now = time.time()
            for fields in held:
                checkout = fields.get("checkout_id")
                if checkout in sent and checkout not in received:
                    received[checkout] = now
            time.sleep(0.2)

    threading.Thread(target=watch, daemon=True).start()
    background_sent: list[int] = []
    background = threading.Thread(
        target=lambda: background_sent.append(background_traffic(url, visitors, background_rate, stop)),
        daemon=True,
    )
    background.start()
    shop = SegmentClient(WRITE_KEY, host=url, sync_mode=True, max_retries=10)
    rng = random.Random(seed)
    try:
        time.sleep(interval_s)  # the sensor's first look records its cursor
        for profile_id, anonymous_id in checkouts:
            checkout = f"bench_{uuid.uuid4().hex[:12]}"
            sent[checkout] = (profile_id, time.time())
            shop.track(
                anonymous_id=anonymous_id,
                event="Checkout Started",
                properties={"checkout_id": checkout, "revenue": 120.0, "total": 130.0, "currency": "USD"},
                context={"consent": CONSENT},
            )
            time.sleep(every_s * rng.uniform(0.5, 1.5))
        # Held-out profiles never arrive: stop when everything arrived, or nothing has for quiet_s.
        while len(received) < len(sent):
            last = max([*received.values(), *(happened for _, happened in sent.values())])
            if time.time() - last > quiet_s:
                break
            time.sleep(1)
    finally:
        stop.set()
        background.join(timeout=30)
        daemon.terminate()
        daemon.wait(timeout=60)
        log.close()
        collector.terminate()
        collector.wait(timeout=60)
        server.shutdown()
    missing = [checkout for checkout in sent if checkout not in received]
    excused = held_out(db, [sent[checkout][0] for checkout in missing]) if missing else set()
    lost = [checkout for checkout in missing if sent[checkout][0] not in excused]
    latencies = sorted(received[c] - sent[c][1] for c in received)  # p95 below: nearest rank
    runs = dagster_runs(dagster_home)
    sensor_runs = [run for run in runs if run["requested"] > min(happened for _, happened in sent.values())]
    # Each delivered event belongs to the first run whose load step started after it was sent.
    by_run: dict[int, list[float]] = {}
    for checkout in received:
        happened = sent[checkout][1]
        owner = next(
            (
                n
                for n, run in enumerate(sensor_runs)
                if "collector_load" in run["steps"] and run["steps"]["collector_load"][0] >= happened
            ),
            None,
        )
        if owner is not None:
            by_run.setdefault(owner, []).append(happened)
    profiles = read_when_free(db, "select count(*) from main.profiles", [])[0][0]
    return {
        "profiles": profiles,
        "checkouts_sent": len(sent),
        "delivered": len(latencies),
        "held_out": len(missing) - len(lost),
        "not_delivered": len(lost),
        "p50_s": round(statistics.median(latencies), 1) if latencies else None,
        "p95_s": round(latencies[math.ceil(0.95 * len(latencies)) - 1], 1) if latencies else None,
        "max_s": round(latencies[-1], 1) if latencies else None,
        "background_events": background_sent[0] if background_sent else None,
        "background_rate": background_rate,
        "sensor_interval_s": interval_s,
        "warm_up_run_s": round(warm_up_s, 1),
        "runs": [
            breakdown(run, sensor_runs[n - 1]["ended"] if n else None, by_run.get(n, []))
            for n, run in enumerate(sensor_runs)
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="a built warehouse (copied, not changed)")
    parser.add_argument("--events", type=int, default=30)
    parser.add_argument("--every", type=float, default=8.0, help="mean seconds between appended checkouts")
    parser.add_argument("--sensor-interval", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--background-rate", type=float, default=20.0, help="page views per second")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="upstream-latency-"))
    try:
        db = workdir / "warehouse.duckdb"
        shutil.copy(args.db, db)
        result = measure(
            db, args.events, args.every, args.sensor_interval, args.seed, workdir, args.background_rate
        )
        print(json.dumps(result))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
