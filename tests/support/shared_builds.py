"""Warehouses several test files read: built once per test run, whatever the number of workers.

With pytest-xdist every worker has its own session, so a session fixture would build the same
warehouse once per worker. The first worker to ask builds it in the run's shared temporary folder
(under a lock); every worker then gets its own copy, which it may change freely.
"""

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest


def built_once(factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """A private copy of the warehouse `build` writes at the path it is given."""
    shared = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's folder, above the workers' own
    folder = shared / f"built-once-{name}"
    folder.mkdir(exist_ok=True)
    original = folder / "upstream.duckdb"
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / ".done").exists():
            build(original)
            (folder / ".done").touch()
    copy = factory.mktemp(name) / "upstream.duckdb"
    shutil.copy(original, copy)
    if original.with_suffix(".duckdb.wal").exists():  # changes not yet checkpointed into the file
        shutil.copy(original.with_suffix(".duckdb.wal"), copy.with_suffix(".duckdb.wal"))
    return copy
