"""`make demo`'s main step: run `upstream_pipeline` through Dagster on the demo warehouse, with the
demo channel listening on 127.0.0.1:8787, and say where to look.

The run is recorded in DAGSTER_HOME, so `make dev` shows it in the UI. The demo signs webhooks with
a throwaway secret made here unless UPSTREAM_WEBHOOK_SECRET is set.
"""

import base64
import os
import secrets
import sys
import threading

import dagster as dg

from reverse_etl.sandbox import WebhookChannel, make_server


def main() -> int:
    os.environ.setdefault(
        "UPSTREAM_WEBHOOK_SECRET", "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    )
    channel = WebhookChannel(secret=os.environ["UPSTREAM_WEBHOOK_SECRET"])
    try:
        server = make_server(channel, 8787)
    except OSError as error:
        print(f"cannot start the demo channel on 127.0.0.1:8787: {error}", file=sys.stderr)
        return 1
    threading.Thread(target=server.serve_forever, daemon=True).start()
    from orchestration.definitions import defs  # after the environment is set: it reads syncs.yml

    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}  # the summary below says enough
    result = defs.resolve_job_def("upstream_pipeline").execute_in_process(
        instance=dg.DagsterInstance.get(), run_config=quiet
    )
    server.shutdown()
    print(
        f"\nDagster run {result.run_id} of upstream_pipeline: {'succeeded' if result.success else 'FAILED'}"
    )
    for event in result.get_asset_materialization_events():
        key = event.asset_key.to_user_string()
        if key.startswith("sync__"):
            meta = {name: value.value for name, value in event.materialization.metadata.items()}
            held = len(channel.held.get(key.removeprefix("sync__"), {}))
            print(
                f"  {key}: planned +{meta['planned_adds']} ~{meta['planned_updates']} "
                f"-{meta['planned_removes']}, confirmed {meta['confirmed']}, rejected {meta['rejected']}; "
                f"the demo channel holds {held}"
            )
    print("Look at it in Dagster: `make dev`, then http://127.0.0.1:3000 (Lineage, Runs).")
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
