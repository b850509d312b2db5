"""One dbt command in a process forked from a server that imported dbt once.

Starting the `dbt` command costs about 2 s of imports before it reads a single file, and the tests
run dbt about 110 times. The fork server (tests/support/warehouse.py) imports this module, and with
it dbt and its DuckDB adapter, once per test worker; each command then runs in a fresh child with
the environment and working folder the test gives it, and exits, so no dbt state or DuckDB handle
outlives it.

The server also parses the project twice before it forks anything. dbt's dataclasses generate
their msgpack, dict and JSON-schema code on first use, which a cold child pays on every command;
made once in the server, it is inherited. Measured per command: a one-model run 1.2 s of CPU cold,
0.6 s warm; a staging build 2.3-2.6 s cold, 1.6-1.8 s warm.
"""

import gc
import os
import shutil
import sys
import tempfile
import traceback
from pathlib import Path

import dbt.adapters.duckdb  # noqa: F401  (imported here so every child starts with it)
from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.cli.main import dbtRunner


def invoke(args: list[str], env: dict[str, str], cwd: str, output: str) -> None:
    """Run `dbt <args>`; its output goes to the file `output`; the exit code says how it went
    (0 success, 1 a failed node or command, 2 an exception)."""
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    with open(output, "w") as out:
        os.dup2(out.fileno(), 1)
        os.dup2(out.fileno(), 2)
        try:
            code = 0 if dbtRunner().invoke(args).success else 1
        except BaseException:
            traceback.print_exc()
            code = 2
        _close_warehouse()
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def _close_warehouse() -> None:
    """Close dbt-duckdb's connection as the `dbt` command does when it exits, so DuckDB writes its
    log into the file (the child ends with os._exit, which runs no finalizer)."""
    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        environment.close()
        DuckDBConnectionManager._ENV = None
    gc.collect()


def _warm_up() -> None:
    """Parse the project into a scratch folder, then again from the saved parse (as the tests'
    commands start), and freeze what that made so the children's collections skip it. It reads
    no warehouse; a failure here only leaves the children cold (their own commands report it).
    Without dbt's static parser: it starts a pool of native threads, and a child forked from a
    process with those threads hangs when it parses."""
    project = str(Path(__file__).resolve().parents[2])
    scratch = tempfile.mkdtemp(prefix="upstream-dbt-warm-up-")
    flags = ["--no-static-parser", "--project-dir", project, "--profiles-dir", project, "--quiet"]
    flags += ["--target-path", f"{scratch}/target", "--log-path", f"{scratch}/logs"]
    try:
        for _ in range(2):
            dbtRunner().invoke(["parse", *flags])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if len(os.listdir("/proc/self/task")) > 1:
        raise RuntimeError("dbt left threads running in the fork server: its children could hang")
    gc.collect()
    gc.freeze()


_warm_up()
