"""`make demo`'s main step: run `upstream_pipeline` through Dagster on the demo warehouse, with the
demo channel listening on 127.0.0.1 (port 8787, or --port), and print a short summary.

dbt's own log (a line per model and test) goes to a file next to the warehouse; the terminal shows
one progress line while dbt runs. The run is recorded in DAGSTER_HOME, so `make dev` shows it in
the UI. The demo signs webhooks with a throwaway secret made here unless UPSTREAM_WEBHOOK_SECRET
is set, and points the shipped syncs (reverse_etl/syncs.yml) at its own port.
"""

import argparse
import base64
import contextlib
import os
import secrets
import sys
import threading
import time
from pathlib import Path

import dagster as dg

from reverse_etl.config import DEFAULT_CONFIG
from reverse_etl.sandbox import WebhookChannel, make_server
from upstream_cli.ports import port_holder
from upstream_cli.progress import DbtProgress
from upstream_config.secrets import read_secret
from upstream_config.warehouse import warehouse_path

SHIPPED_PORT = 8787  # the port reverse_etl/syncs.yml names


def busy_port_message(port: int, error: OSError) -> str:
    """What to do when the demo channel cannot listen: stop the holder or pick another port."""
    holder = port_holder(port)
    who = f"{holder} is listening there" if holder else str(error)
    return (
        f"cannot start the demo channel on 127.0.0.1:{port}: {who}.\n"
        f"Stop that process, or run the demo on another port: make demo DEMO_PORT={port + 1}"
    )


def demo_sync_config(port: int, folder: Path) -> Path:
    """The shipped sync file, pointed at the demo channel's port (the file itself when unchanged)."""
    if port == SHIPPED_PORT:
        return DEFAULT_CONFIG
    text = DEFAULT_CONFIG.read_text().replace(f"127.0.0.1:{SHIPPED_PORT}", f"127.0.0.1:{port}")
    path = folder / "demo-syncs.yml"
    path.write_text(text)
    return path


def run_pipeline(log_path: Path) -> dg.ExecuteInProcessResult:
    """Execute upstream_pipeline in this process; dbt's log lines to `log_path`, progress to the terminal."""
    from orchestration.definitions import defs  # after the environment is set: it reads the sync file

    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}  # the summary says enough
    with log_path.open("w") as log, contextlib.redirect_stdout(DbtProgress(log, sys.__stdout__)):
        return defs.resolve_job_def("upstream_pipeline").execute_in_process(
            instance=dg.DagsterInstance.get(), run_config=quiet
        )


def summary(
    result: dg.ExecuteInProcessResult, channel: WebhookChannel, seconds: float, log: Path
) -> list[str]:
    """The demo's first lines: how the run went, what each sync did, where the details are."""
    lines = [
        f"upstream_pipeline {'succeeded' if result.success else 'FAILED'} in {seconds:.0f} s "
        f"(Dagster run {result.run_id[:8]}); dbt's log: {log}"
    ]
    for event in result.get_asset_materialization_events():
        key = event.asset_key.to_user_string()
        if key.startswith("sync__"):
            meta = {name: value.value for name, value in event.materialization.metadata.items()}
            held = len(channel.held.get(key.removeprefix("sync__"), {}))
            lines.append(
                f"  {key}: planned +{meta['planned_adds']} ~{meta['planned_updates']} "
                f"-{meta['planned_removes']}, confirmed {meta['confirmed']}, rejected {meta['rejected']}; "
                f"the demo channel holds {held}"
            )
    lines.append("In Dagster: `make dev`, then http://127.0.0.1:3000 (Lineage, Runs).")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=SHIPPED_PORT, help="the demo channel's port")
    args = parser.parse_args(argv)
    os.environ.setdefault(
        "UPSTREAM_WEBHOOK_SECRET", "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    )
    channel = WebhookChannel(secret=read_secret("UPSTREAM_WEBHOOK_SECRET", "the demo channel"))
    try:
        server = make_server(channel, args.port)
    except OSError as error:
        print(busy_port_message(args.port, error), file=sys.stderr)
        return 1
    threading.Thread(target=server.serve_forever, daemon=True).start()
    folder = warehouse_path().resolve().parent
    os.environ["UPSTREAM_SYNC_CONFIG"] = str(demo_sync_config(args.port, folder))
    log = Path(os.path.relpath(folder / "demo-dbt.log"))
    started = time.monotonic()
    try:
        result = run_pipeline(log)
    finally:
        server.shutdown()
    print("\n".join(summary(result, channel, time.monotonic() - started, log)))
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
