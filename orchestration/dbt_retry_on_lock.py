"""Start `dbt build` again when it could not open the warehouse.

DuckDB lets one process write a file at a time. When a loader is appending raw events at the
moment a run's dbt starts, dbt cannot take the file and fails before it runs a single node ("Could
not set lock on file"): two of six new-data runs failed so at 1M profiles in bench/latency.py,
each a lost run's worth of latency. Such a failure leaves no run_results.json; a
failure of a model or a data test always does, and is not repeated here.

The same loader can take the file in the moment between dbt's exit and the step's own read of
the built tables (their row counts, for the materializations): that read waits the same way,
instead of failing a step whose build succeeded (at 1M profiles, two of four new-data runs of
one latency run failed so, a third ran out of dbt's start attempts, and nothing reached the
channel).
"""

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
from dagster_dbt.core.dbt_cli_invocation import DbtCliInvocation

START_ATTEMPTS = 6
PAUSE_S = 2.0


def ran_no_node(invocation: DbtCliInvocation) -> bool:
    return not invocation.target_path.joinpath("run_results.json").exists()


def stream_until_started(
    start: Callable[[], DbtCliInvocation], warn: Callable[[str], None], pause_s: float = PAUSE_S
) -> Iterator:
    """The events of the first invocation that got as far as running nodes (or of the last
    attempt); raises its error if it failed."""
    for attempt in range(1, START_ATTEMPTS + 1):
        invocation = start()
        yield from invocation.stream()
        if invocation.is_successful() or not ran_no_node(invocation) or attempt == START_ATTEMPTS:
            break
        warn(f"dbt stopped before running any node (attempt {attempt} of {START_ATTEMPTS}); starting again")
        time.sleep(pause_s)
    error = invocation.get_error()
    if error:
        raise error


def connect_read_only(
    path: Path, warn: Callable[[str], None], pause_s: float = PAUSE_S
) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the warehouse, tried up to START_ATTEMPTS times while another
    process holds its lock; any other error, or the lock after the last attempt, is raised."""
    for attempt in range(1, START_ATTEMPTS + 1):
        try:
            return duckdb.connect(str(path), read_only=True)
        except duckdb.IOException as error:
            if "lock" not in str(error).lower() or attempt == START_ATTEMPTS:
                raise
            warn(f"the warehouse is held by another process (attempt {attempt} of {START_ATTEMPTS}); waiting")
            time.sleep(pause_s)
    raise AssertionError("unreachable")
