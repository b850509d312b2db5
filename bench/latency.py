"""Benchmark: event-to-activation latency with the Dagster sensor running.

    .venv/bin/python bench/latency.py --db <a built warehouse> [--events 30] [--every 8]

On a copy of a warehouse that a full build has made:
1. The demo webhook channel listens on 127.0.0.1 (in this process); a syncs file points the two
   webhook syncs at it. One `upstream_pipeline` run (as of now) brings the warehouse and the
   ledger up to date before the clock starts.
2. A Dagster daemon runs the `new_raw_data` sensor (looking every UPSTREAM_SENSOR_INTERVAL_SECONDS)
   in a fresh DAGSTER_HOME; each run it starts is the real job: `activation_fast_lane` once the
   warm-up run of the pipeline has succeeded (dbt build of what the syncs read, then every sync).
3. Every --every seconds (jittered) a fresh checkout with no order happens for a known customer.
   A loader writes each to raw.tracks and raw.checkout_started, with every other event due, as
   soon as no run holds the warehouse (DuckDB has one writer). Its latency runs from the moment
   it happens (so waiting for the writer counts) until the channel holds the
   cart_abandoners_webhook record with that checkout_id.
A checkout whose profile the segment holds out (holdout_share) is never sent, by design; it is
counted apart. Prints one JSON line: p50 / p95 / max, the runs Dagster made and their durations.
"""

import argparse
import base64
import json
import math
import os
import random
import secrets
import shutil
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

from benchlib import ROOT, critical_path

from reverse_etl.sandbox import WebhookChannel, make_server

SYNC_NAME = "cart_abandoners_webhook"
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


def append_checkouts(db: Path, checkouts: list[tuple[str, str]]) -> None:
    """Checkout Started events as Segment loads them: a row in tracks and one in checkout_started
    per (anonymous_id, checkout_id), in one transaction. Raises duckdb.IOException while another
    process (dbt, a sync) holds the warehouse."""
    now = iso_now()
    with duckdb.connect(str(db)) as con:
        con.execute("begin")
        for anonymous_id, checkout_id in checkouts:
            common = {
                "id": str(uuid.uuid4()),
                "anonymous_id": anonymous_id,
                "timestamp": now,
                "received_at": now,
                "sent_at": now,
                "event": "checkout_started",
                **{
                    f"context_consent_category_preferences_{category}": "true"
                    for category in ("email_marketing", "sms_marketing", "advertising", "personalization")
                },
            }
            specific = {"checkout_id": checkout_id, "revenue": 120.0, "total": 130.0, "currency": "USD"}
            for table, row in (
                ("tracks", {**common, "event_text": "Checkout Started"}),
                ("checkout_started", {**common, **specific}),
            ):
                columns = ", ".join(f'"{name}"' for name in row)
                marks = ", ".join("?" for _ in row)
                con.execute(f"insert into raw.{table} ({columns}) values ({marks})", list(row.values()))
        con.execute("commit")


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
    import dagster as dg

    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        runs = []
        for record in instance.get_run_records():
            stats = instance.get_run_stats(record.dagster_run.run_id)
            if stats.start_time and stats.end_time:
                runs.append(
                    {
                        "job": record.dagster_run.job_name,
                        "status": record.dagster_run.status.value,
                        "seconds": round(stats.end_time - stats.start_time, 1),
                        "queued_to_start_s": round(stats.start_time - record.create_timestamp.timestamp(), 1),
                        **dbt_step_profile(record.dagster_run.run_id),
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
        "dbt_nodes_s": round(results["elapsed_time"], 1),
        "dbt_critical_path_s": critical_path(found[-1].parent),
        "slowest": {r["unique_id"].split(".")[-1]: round(r["execution_time"], 1) for r in nodes[:6]},
    }


def measure(
    db: Path, events: int, every_s: float, interval_s: int, seed: int, workdir: Path, quiet_s: float = 300
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
        "DAGSTER_HOME": str(dagster_home),
        "UPSTREAM_SYNC_CONFIG": str(syncs_file),
        "UPSTREAM_WEBHOOK_SECRET": secret,
        "UPSTREAM_SENSOR_INTERVAL_SECONDS": str(interval_s),
    }
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
    customers = pick_customers(db, events, seed)
    appended: dict[str, tuple[str, float]] = {}  # checkout_id -> (profile_id, when it happened)
    received: dict[str, float] = {}
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            with channel.lock:
                held = list(channel.held.get(SYNC_NAME, {}).values())
            now = time.time()
            for fields in held:
                checkout = fields.get("checkout_id")
                if checkout in appended and checkout not in received:
                    received[checkout] = now
            time.sleep(0.2)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    rng = random.Random(seed)
    schedule, at = [], time.time() + interval_s  # the sensor's first look records the cursor
    for profile_id, anonymous_id in customers:
        schedule.append((at, profile_id, anonymous_id, f"bench_{uuid.uuid4().hex[:12]}"))
        at += every_s * rng.uniform(0.5, 1.5)
    loaded_at: dict[str, float] = {}
    try:
        # The loader: an event happens at its scheduled time and is written with every other event
        # due as soon as no run holds the warehouse (DuckDB has one writer), as a loader would.
        while len(loaded_at) < len(schedule):
            due = [event for event in schedule if event[0] <= time.time() and event[3] not in loaded_at]
            if not due:
                time.sleep(0.1)
                continue
            try:
                append_checkouts(db, [(anonymous_id, checkout) for _, _, anonymous_id, checkout in due])
            except duckdb.IOException:
                time.sleep(0.2)
                continue
            for happened, profile_id, _, checkout in due:
                appended[checkout] = (profile_id, happened)
                loaded_at[checkout] = time.time()
        # Held-out profiles never arrive: stop when everything arrived, or nothing has for quiet_s.
        while len(received) < len(appended):
            last = max([*received.values(), *loaded_at.values()])
            if time.time() - last > quiet_s:
                break
            time.sleep(1)
    finally:
        stop.set()
        daemon.terminate()
        daemon.wait(timeout=60)
        log.close()
        server.shutdown()
    missing = [checkout for checkout in appended if checkout not in received]
    excused = held_out(db, [appended[checkout][0] for checkout in missing]) if missing else set()
    lost = [checkout for checkout in missing if appended[checkout][0] not in excused]
    latencies = sorted(received[c] - appended[c][1] for c in received)  # p95 below: nearest rank
    waits = sorted(loaded_at[c] - appended[c][1] for c in appended)
    runs = dagster_runs(dagster_home)
    profiles = read_when_free(db, "select count(*) from main.profiles", [])[0][0]
    return {
        "profiles": profiles,
        "events_appended": len(appended),
        "delivered": len(latencies),
        "held_out": len(missing) - len(lost),
        "not_delivered": len(lost),
        "p50_s": round(statistics.median(latencies), 1) if latencies else None,
        "p95_s": round(latencies[math.ceil(0.95 * len(latencies)) - 1], 1) if latencies else None,
        "max_s": round(latencies[-1], 1) if latencies else None,
        # Of the latency: how long events waited for the warehouse's single writer.
        "load_wait_p50_s": round(statistics.median(waits), 1),
        "sensor_interval_s": interval_s,
        "warm_up_run_s": round(warm_up_s, 1),
        "dagster_runs": runs,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="a built warehouse (copied, not changed)")
    parser.add_argument("--events", type=int, default=30)
    parser.add_argument("--every", type=float, default=8.0, help="mean seconds between appended checkouts")
    parser.add_argument("--sensor-interval", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="upstream-latency-"))
    try:
        db = workdir / "warehouse.duckdb"
        shutil.copy(args.db, db)
        print(json.dumps(measure(db, args.events, args.every, args.sensor_interval, args.seed, workdir)))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
