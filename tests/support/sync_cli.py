"""The reverse-ETL CLI as a separate process, and the kill-and-rerun loop of the crash tests."""

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.support.warehouse import PROJECT_ROOT


def start_cli(db: Path, config: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """`python -m reverse_etl --config CONFIG ARGS...` on the warehouse `db`, output captured."""
    return subprocess.Popen(
        [sys.executable, "-m", "reverse_etl", "--config", str(config), *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, "UPSTREAM_DUCKDB_PATH": str(db), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_with_kills(
    start: Callable[[], subprocess.Popen],
    finished: Callable[[], bool],
    rng: random.Random,
    kills: int,
    window: tuple[float, float],
) -> int:
    """Start runs, SIGKILL the first `kills` of them at a random moment within `window` seconds,
    then let runs complete until `finished()`; returns how many runs were killed mid-way."""
    killed = 0
    for _ in range(kills + 20):
        process = start()
        if killed < kills:
            time.sleep(rng.uniform(*window))
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait()
                killed += 1
                continue
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        if finished():
            return killed
    raise AssertionError("the sync never finished")
