"""Helpers the tests share: write raw tables into a DuckDB file, run real dbt, read results."""

import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).parent / "dbt"


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
    env = {**os.environ, "UPSTREAM_DUCKDB_PATH": str(db_path), **(extra_env or {})}
    command = [
        str(DBT),
        *args,
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
        "--target-path",
        str(db_path.parent / "dbt_target"),
        "--log-path",
        str(db_path.parent / "dbt_logs"),
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if expect_failure:
        if result.returncode == 0:
            raise AssertionError(
                f"dbt {' '.join(args)} succeeded but should have failed:\n{result.stdout[-3000:]}"
            )
        return result.stdout + result.stderr
    if result.returncode != 0:
        # dbt prints its errors in a summary near the end, after every skipped node.
        lines = result.stdout.splitlines()
        start = next((i for i, line in enumerate(lines) if "Completed with" in line), max(0, len(lines) - 60))
        summary = "\n".join(lines[start:])[-6000:]
        raise AssertionError(f"dbt {' '.join(args)} failed:\n{summary}\n{result.stderr[-2000:]}")
    return result.stdout


def build_as_of(db_path: Path, as_of: str, project_dir: Path = PROJECT_ROOT) -> str:
    """Build every model and seed as of `as_of` ('YYYY-MM-DD HH:MM:SS'), without dbt's own tests
    (the data tests run once in `make dbt-test`; here the caller asserts)."""
    return run_dbt(
        db_path,
        "build",
        "--exclude-resource-type",
        "test",
        "unit_test",
        "--vars",
        f'{{upstream__as_of: "{as_of}"}}',
        project_dir=project_dir,
    )


def query(db_path: Path, sql: str, params: Iterable | None = None) -> list[tuple]:
    """Rows of one read-only query."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(sql, list(params or [])).fetchall()
