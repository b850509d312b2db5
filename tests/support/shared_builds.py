"""Warehouses and results several test files read: made once per test run, whatever the number
of workers.

With pytest-xdist every worker has its own session, so a session fixture would build the same
warehouse once per worker. The first worker to ask makes it in the run's shared temporary folder
(under a lock, which the others wait on); every worker then gets its own copy of a warehouse,
which it may change freely, or reads the pickled result.
"""

import fcntl
import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")


def made_once(factory: pytest.TempPathFactory, name: str, make: Callable[[Path], T]) -> T:
    """What `make` returns when given the shared folder `name`: computed by the first caller in
    this test run, read back (pickled) by the others."""
    folder = shared_folder(factory, name)
    result_file = folder / "result.pickle"
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not result_file.exists():
            result = make(folder)
            partial = folder / "result.partial"
            with partial.open("wb") as out:
                pickle.dump(result, out)
            partial.rename(result_file)
            return result
    with result_file.open("rb") as saved:
        return pickle.load(saved)


def built_once(factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """A private copy of the warehouse `build` writes at the path it is given."""
    made_once(factory, name, lambda folder: build(folder / "upstream.duckdb"))
    original = shared_folder(factory, name) / "upstream.duckdb"
    copy = factory.mktemp(name) / "upstream.duckdb"
    shutil.copy(original, copy)
    if original.with_suffix(".duckdb.wal").exists():  # changes not yet checkpointed into the file
        shutil.copy(original.with_suffix(".duckdb.wal"), copy.with_suffix(".duckdb.wal"))
    return copy


def shared_folder(factory: pytest.TempPathFactory, name: str) -> Path:
    """The folder `name` in this test run's temporary folder, the same for every worker."""
    shared = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's folder, above the workers' own
    folder = shared / f"built-once-{name}"
    folder.mkdir(exist_ok=True)
    return folder
