"""Helpers the tests share: write raw tables into a DuckDB file, run real dbt, read results."""

import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).parent / "dbt"
# dbt parses the whole project (about 6 s) unless the target folder holds a parse made with the
# same profile, command-line vars and project files; it then reads only what changed (about 1 s).
# Every warehouse is therefore opened by its file name from its own folder (the same profile for
# all of them), and each new target folder starts from this test run's parse of the project.
SHARED_PARSE: dict[str, Path] = {}


def write_raw_tables(db_path: Path, tables: dict[str, Sequence[dict]], schema: str = "raw") -> None:
    """Create each raw table with text columns (as JSON loaders write them) and insert its rows."""
    with duckdb.connect(str(db_path)) as con:
        con.execute(f"create schema if not exists {schema}")
        for table, rows in tables.items():
            columns = list(dict.fromkeys(key for row in rows for key in row))
            column_sql = ", ".join(f'"{column}" varchar' for column in columns)
            con.execute(f"create or replace table {schema}.{table} ({column_sql})")
            placeholders = ", ".join("?" for _ in columns)
            con.executemany(
                f"insert into {schema}.{table} values ({placeholders})",
                [[row.get(column) for column in columns] for row in rows],
            )


def copy_project(dest: Path) -> Path:
    """A copy of the dbt project (no venv, no build output) that a test may add models to."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(PROJECT_ROOT / name, dest / name)
    for folder in ("models", "macros", "seeds", "analyses", "tests/dbt"):
        shutil.copytree(PROJECT_ROOT / folder, dest / folder)
    return dest


def run_dbt(
    db_path: Path,
    *args: str,
    extra_env: dict[str, str] | None = None,
    project_dir: Path = PROJECT_ROOT,
    expect_failure: bool = False,
) -> str:
    """Run the dbt CLI against this DuckDB file; fail the test with dbt's output if dbt fails
    (or, with expect_failure, if it succeeds)."""
    args, as_of = _as_of_from_vars(args)
    if args and args[0] == "build" and "--exclude-resource-type" not in args:
        # dbt's unit tests check the SQL against fixed fixtures, whatever the warehouse holds:
        # `make dbt-test` runs them once; the data tests, which check this warehouse, still run.
        args = [*args, "--exclude-resource-type", "unit_test"]
    # No dbt.log and no manifest.json or run_results.json: the tests read dbt's output, and
    # writing every debug event to a file costs about a twentieth of a small build, the two
    # artifacts (pure-Python JSON encoding) about another 0.6 s of CPU.
    env = {
        **os.environ,
        "DBT_LOG_LEVEL_FILE": "none",
        "DBT_WRITE_JSON": "false",
        # One dbt thread: on these small warehouses a build is dbt's Python under one lock, so a
        # second thread only adds switching (CPU 9.5 s against 11.1 s, the same wall time). Two
        # threads stay covered by `make dbt-test`, the Dagster runs and the parity builds.
        "UPSTREAM_THREADS": "1",
        "UPSTREAM_DUCKDB_PATH": db_path.name,
        **as_of,
        **(extra_env or {}),
    }
    target = db_path.parent / "dbt_target"
    if project_dir == PROJECT_ROOT:
        # dbt checks the copy against this run's profile, vars and files and parses afresh if
        # any differs, so a run with other --vars is still right, only slower.
        _start_from_shared_parse(target, env)
    command = [
        *args,
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
        "--target-path",
        str(target),
        "--log-path",
        str(db_path.parent / "dbt_logs"),
    ]
    result = _dbt(command, env, db_path.parent)
    if expect_failure:
        if result.returncode == 0:
            raise AssertionError(
                f"dbt {' '.join(args)} succeeded but should have failed:\n{result.output[-3000:]}"
            )
        return result.output
    if result.returncode != 0:
        # dbt prints its errors in a summary near the end, after every skipped node.
        lines = result.output.splitlines()
        start = next((i for i, line in enumerate(lines) if "Completed with" in line), max(0, len(lines) - 60))
        summary = "\n".join(lines[start:])[-6000:]
        raise AssertionError(f"dbt {' '.join(args)} failed:\n{summary}")
    return result.output


@dataclass
class DbtResult:
    returncode: int
    output: str  # what dbt printed, stdout and stderr together


# A fork server per test worker, started on first use with dbt imported (tests/support/dbt_child.py).
FORK_SERVER = multiprocessing.get_context("forkserver")
FORK_SERVER.set_forkserver_preload(["tests.support.dbt_child"])


def _dbt(args: list[str], env: dict[str, str], cwd: Path) -> DbtResult:
    """`dbt <args>` in a child of the fork server, as the `dbt` command would run it."""
    with tempfile.NamedTemporaryFile("r", suffix=".log", dir=cwd) as output:
        child = FORK_SERVER.Process(target=_invoke_in_child, args=(args, env, str(cwd), output.name))
        child.start()
        child.join()
        return DbtResult(child.exitcode or 0, output.read())


def _invoke_in_child(args: list[str], env: dict[str, str], cwd: str, output: str) -> None:
    """Runs in the child, where the fork server has imported dbt already (the test process never
    imports it)."""
    from tests.support.dbt_child import invoke

    invoke(args, env, cwd, output)


def _as_of_from_vars(args: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """`--vars` without upstream__as_of, and the instant as UPSTREAM_AS_OF: the two mean the same
    to the models, and only a change of --vars makes dbt parse the project again."""
    args = list(args)
    if "--vars" not in args:
        return args, {}
    position = args.index("--vars") + 1
    values = yaml.safe_load(args[position]) or {}
    if not values.get("upstream__as_of"):  # unset or empty: the var's own behaviour is under test
        return args, {}
    as_of = str(values.pop("upstream__as_of"))
    if values:
        args[position] = json.dumps(values)
    else:
        del args[position - 1 : position + 1]
    return args, {"UPSTREAM_AS_OF": as_of}


def _start_from_shared_parse(target: Path, env: dict[str, str]) -> None:
    """Copy the session's parse of the project into a new target folder (made on first use)."""
    parse = target / "partial_parse.msgpack"
    if parse.exists():
        return
    key = f"{env['UPSTREAM_DUCKDB_PATH']}|{env.get('UPSTREAM_PROFILE_ID_KEY', '')}"
    if key not in SHARED_PARSE:
        folder = Path(tempfile.mkdtemp(prefix="upstream-dbt-parse-"))
        subprocess.run(
            [
                str(DBT),
                "parse",
                "--quiet",
                "--project-dir",
                str(PROJECT_ROOT),
                "--profiles-dir",
                str(PROJECT_ROOT),
                "--target-path",
                str(folder / "target"),
                "--log-path",
                str(folder / "logs"),
            ],
            env=env,
            cwd=folder,
            capture_output=True,
            check=True,
        )
        SHARED_PARSE[key] = folder / "target" / "partial_parse.msgpack"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(SHARED_PARSE[key], parse)


def build_as_of(db_path: Path, as_of: str, project_dir: Path = PROJECT_ROOT) -> str:
    """Build every model and seed as of `as_of` ('YYYY-MM-DD HH:MM:SS'), without dbt's own tests
    (the data tests run once in `make dbt-test`; here the caller asserts). The instant goes in
    through UPSTREAM_AS_OF, as scheduled runs pass it: a --vars value would make dbt parse again."""
    return run_dbt(
        db_path,
        "build",
        "--exclude-resource-type",
        "test",
        "unit_test",
        extra_env={"UPSTREAM_AS_OF": as_of},
        project_dir=project_dir,
    )


def query(db_path: Path, sql: str, params: Iterable | None = None) -> list[tuple]:
    """Rows of one read-only query."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(sql, list(params or [])).fetchall()
