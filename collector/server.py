"""`python -m collector serve`: the HTTP server in front of the app.

uvicorn with httptools and uvloop; one process per core by default, each with its own landing
files (which is why a landing file name carries its process id), sharing one listening socket."""

import os
import sys

import uvicorn

from collector.settings import DEFAULT_HOST, DEFAULT_PORT, SettingsError, landing_settings, write_keys


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, workers: int | None = None) -> int:
    try:
        keys = write_keys()
        landing = landing_settings()
    except SettingsError as error:
        print(f"collector: {error}", file=sys.stderr)
        return 2
    workers = workers or os.cpu_count() or 1
    sources = ", ".join(sorted(set(keys.values())))
    print(
        f"collector: listening on http://{host}:{port} ({workers} workers), sources: {sources}, "
        f"landing files in {landing.directory}",
        flush=True,
    )
    uvicorn.run(
        "collector.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http="httptools",
        loop="uvloop",
        lifespan="on",
        access_log=False,
        log_level="warning",
        timeout_graceful_shutdown=10,
    )
    return 0
