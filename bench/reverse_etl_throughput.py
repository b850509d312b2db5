"""Reverse-ETL throughput and plan time (targets: >= 20,000 changes/s to a local endpoint,
unthrottled, with batching; plan time at 1M members).

    .venv/bin/python bench/reverse_etl_throughput.py --members 1000000 --batch-size 1000

Builds a DuckDB file with an audience of N members, times `plan` (SQL diff against an empty and
then a full ledger), then times a full `run` of N adds to the local webhook channel (in-process
HTTP server on 127.0.0.1, signature checked) and a second run of 10% updates.
"""

import argparse
import base64
import json
import secrets
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reverse_etl import config, ledger, plan, runner
from reverse_etl.destinations import TYPES
from reverse_etl.sandbox import WebhookChannel, make_server

# A throwaway signing secret: the benchmark signs and checks every request as a real sync would.
BENCH_SECRET = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def measure(members: int, batch_size: int) -> dict:
    """Plan and run timings for an audience of `members` (see the module docstring)."""
    workdir = Path(tempfile.mkdtemp(prefix="upstream-retl-"))
    con = ledger.connect(str(workdir / "bench.duckdb"))
    con.execute(
        "create table main.audience as select 'p' || i as profile_id, 'user' || i || '@shop.io' as email, "
        "i % 97 as score, 'gold' as tier from range(?) as t (i)",
        [members],
    )
    channel = WebhookChannel(secret=BENCH_SECRET, max_batch=batch_size)
    server = make_server(channel, port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sync = config.parse(
        {
            "syncs": [
                {
                    "name": "bench",
                    "source": "main.audience",
                    "key": "profile_id",
                    "destination": {
                        "type": "webhook",
                        "url": f"http://127.0.0.1:{server.server_address[1]}/hook",
                        "batch_size": batch_size,
                        "timeout_s": 60,
                    },
                }
            ]
        },
        TYPES,
    )["bench"]
    figures = {"members": members}
    try:
        started = time.perf_counter()
        counts = plan.compute(con, sync)
        figures["plan_empty_ledger_s"] = round(time.perf_counter() - started, 2)
        destination = TYPES["webhook"](sync.name, sync.destination, BENCH_SECRET)
        started = time.perf_counter()
        summary = runner.SyncRun(con, sync, destination).execute()
        elapsed = time.perf_counter() - started
        figures.update(
            adds=summary.confirmed, adds_s=round(elapsed, 2), adds_per_s=round(summary.confirmed / elapsed)
        )

        con.execute("update main.audience set score = score + 1000 where hash(profile_id) % 10 = 0")
        started = time.perf_counter()
        counts = plan.compute(con, sync)
        figures["plan_full_ledger_s"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        summary = runner.SyncRun(con, sync, destination).execute()
        elapsed = time.perf_counter() - started
        figures.update(
            updates=counts.updates,
            updates_s=round(elapsed, 2),
            updates_per_s=round(summary.confirmed / elapsed),
        )
        held = len(channel.held["bench"])
        if held != members:
            raise RuntimeError(f"the channel holds {held}, expected {members}")
    finally:
        server.shutdown()
        con.close()
        shutil.rmtree(workdir, ignore_errors=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    args = parser.parse_args()
    print(json.dumps(measure(args.members, args.batch_size)))


if __name__ == "__main__":
    main()
