"""A real collector (`python -m collector serve`) on a free port, for tests that talk to it over
HTTP, and the command that loads its landing files."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from tests.support.ports import free_port
from tests.support.warehouse import PROJECT_ROOT

WRITE_KEYS = {"web": "test-web-key", "server": "test-server-key"}


@dataclass
class Collector:
    url: str
    landing: Path
    process: subprocess.Popen

    def kill(self) -> None:
        """kill -9 every process of the collector (uvicorn's supervisor and its workers)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


def collector_env(landing: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "UPSTREAM_WRITE_KEYS": ",".join(f"{source}={key}" for source, key in WRITE_KEYS.items()),
        "UPSTREAM_LANDING_DIR": str(landing),
        **extra,
    }


@contextmanager
def running_collector(
    landing: Path, workers: int = 1, command_prefix: tuple[str, ...] = (), **extra_env: str
) -> Iterator[Collector]:
    port = free_port()
    command = [
        *command_prefix,
        sys.executable,
        "-m",
        "collector",
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    process = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=collector_env(landing, **extra_env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, so kill() reaches the workers
    )
    collector = Collector(f"http://127.0.0.1:{port}", landing, process)
    try:
        _wait_until_listening(collector)
        yield collector
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                collector.kill()


def _wait_until_listening(collector: Collector) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if collector.process.poll() is not None:
            raise AssertionError(f"the collector exited:\n{collector.process.stdout.read()}")
        try:
            requests.get(f"{collector.url}/health", timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError("the collector did not start listening within 30 s")


def as_of_after_now() -> str:
    """--vars pinning as_of just after now: a build's default instant is its start truncated to
    the second, which would leave out an event sent in that same second."""
    moment = datetime.now(UTC) + timedelta(seconds=2)
    return f"{{upstream__as_of: '{moment:%Y-%m-%d %H:%M:%S}'}}"


def load_landing(landing: Path, db_path: Path) -> subprocess.CompletedProcess:
    """`python -m collector load` into the DuckDB file db_path; fails the test if it fails."""
    result = subprocess.run(
        [sys.executable, "-m", "collector", "load"],
        cwd=PROJECT_ROOT,
        env={**collector_env(landing), "UPSTREAM_DUCKDB_PATH": str(db_path), "UPSTREAM_TARGET": "duckdb"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, f"collector load failed:\n{result.stdout}\n{result.stderr}"
    return result
