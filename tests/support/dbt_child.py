"""One dbt command in a process forked from a server that imported dbt once.

Starting the `dbt` command costs about 2 s of imports before it reads a single file, and the tests
run dbt about 150 times. The fork server (tests/support/warehouse.py) imports this module, and with
it dbt and its DuckDB adapter, once per test worker; each command then runs in a fresh child with
the environment and working folder the test gives it, and exits, so no dbt state or DuckDB handle
outlives it.
"""

import gc
import os
import sys
import traceback

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
