"""`make demo`'s last step: start the demo channel, run every sync in syncs.yml against the demo
warehouse, and print each run's summary and what the channel now holds.

The demo signs with a throwaway secret made here (unless UPSTREAM_WEBHOOK_SECRET is set); real
deployments set the variable themselves.
"""

import argparse
import base64
import os
import secrets
import sys
import threading
from pathlib import Path

from reverse_etl import config, ledger, runner
from reverse_etl.destinations import TYPES
from reverse_etl.sandbox import WebhookChannel, make_server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db", type=Path, default=Path(os.environ.get("UPSTREAM_DUCKDB_PATH", "warehouse/upstream.duckdb"))
    )
    parser.add_argument("--config", type=Path, default=config.DEFAULT_CONFIG)
    parser.add_argument("--port", type=int, default=8787)
    args = parser.parse_args(argv)
    secret_env = "UPSTREAM_WEBHOOK_SECRET"
    secret = os.environ.get(secret_env) or "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    channel = WebhookChannel(secret=secret)
    try:
        server = make_server(channel, args.port)
    except OSError as error:
        print(f"cannot start the demo channel on 127.0.0.1:{args.port}: {error}", file=sys.stderr)
        return 1
    threading.Thread(target=server.serve_forever, daemon=True).start()
    syncs = config.load(args.config, set(TYPES))
    print(f"Reverse ETL to the demo channel (http://127.0.0.1:{args.port}/)")
    with ledger.connect(str(args.db)) as con:
        for sync in syncs.values():
            destination = TYPES[sync.destination.type](sync.name, sync.destination, secret)
            summary = runner.SyncRun(con, sync, destination).execute()
            print(f"  {summary.line()}")
            print(
                f"    the channel now holds {len(channel.held.get(sync.name, {}))} members of {sync.source}"
            )
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
