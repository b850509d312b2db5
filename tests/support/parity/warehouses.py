"""One interface over the three engines of the parity suites: load a phase of raw tables, run
`dbt build` as of an instant, read relations back. Each warehouse lives in its own place (a
DuckDB file, a PostgreSQL database, a Spark directory), so suites never share state."""

import os
import pickle
import subprocess
import sys
from pathlib import Path

import duckdb

from tests.support.parity import duckdb_engine, postgres_engine
from tests.support.parity.raw_phases import RawTable
from tests.support.warehouse import PROJECT_ROOT

SPARK_VENV = Path(os.environ.get("UPSTREAM_SPARK_VENV", PROJECT_ROOT / ".venv-spark"))
# dbt's own data tests and unit tests run on DuckDB in `make dbt-test`; here only models.
BUILD_ARGS = ("build", "--exclude-resource-type", "test", "unit_test")


def run_dbt_command(dbt: Path, workdir: Path, env: dict[str, str], as_of: str) -> str:
    command = [
        str(dbt),
        *BUILD_ARGS,
        "--vars",
        f'{{upstream__as_of: "{as_of}"}}',
        "--project-dir",
        str(PROJECT_ROOT),
        "--profiles-dir",
        str(PROJECT_ROOT),
        "--target-path",
        str(workdir / "dbt_target"),
        "--log-path",
        str(workdir / "dbt_logs"),
    ]
    result = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        engine = env.get("UPSTREAM_TARGET", "duckdb")
        raise AssertionError(f"dbt build failed ({engine}):\n{result.stdout[-6000:]}")
    return result.stdout


class DuckDBWarehouse:
    name = "duckdb"

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.db_path = workdir / "upstream.duckdb"

    def load(self, tables: list[RawTable], folder: Path, phase: int) -> None:
        duckdb_engine.load_phase(self.db_path, tables, folder, phase)

    def build(self, as_of: str) -> str:
        dbt = Path(sys.executable).parent / "dbt"
        return run_dbt_command(dbt, self.workdir, {"UPSTREAM_DUCKDB_PATH": str(self.db_path)}, as_of)

    def relations(self) -> list[str]:
        """Every relation the build left in the target schema (scratch tables are dropped)."""
        with duckdb.connect(str(self.db_path), read_only=True) as con:
            rows = con.execute(
                "select table_name from information_schema.tables where table_schema = 'main' order by 1"
            ).fetchall()
        return [row[0] for row in rows]

    def read(self, relations: list[str]) -> dict[str, tuple[list[str], list[tuple]]]:
        return {relation: duckdb_engine.read_table(self.db_path, relation) for relation in relations}


class PostgresWarehouse:
    name = "postgres"

    def __init__(self, workdir: Path, database: str) -> None:
        self.workdir = workdir
        self.database = database
        postgres_engine.recreate_database(database)

    def load(self, tables: list[RawTable], folder: Path, phase: int) -> None:
        postgres_engine.load_phase(self.database, tables, folder, phase)

    def build(self, as_of: str) -> str:
        dbt = Path(sys.executable).parent / "dbt"
        return run_dbt_command(dbt, self.workdir, postgres_engine.connection_env(self.database), as_of)

    def read(self, relations: list[str]) -> dict[str, tuple[list[str], list[tuple]]]:
        read = postgres_engine.read_table
        return {relation: read(self.database, f"analytics.{relation}") for relation in relations}

    def close(self) -> None:
        postgres_engine.drop_database(self.database)


class SparkWarehouse:
    """Local Spark in .venv-spark: dbt-spark's session method, the metastore under workdir."""

    name = "spark"

    def __init__(self, workdir: Path) -> None:
        if not (SPARK_VENV / "bin" / "dbt").exists():
            raise AssertionError(f"{SPARK_VENV} has no dbt: run `make spark-install` first")
        self.workdir = workdir
        self.spark_dir = workdir / "spark"
        self.spark_dir.mkdir(parents=True, exist_ok=True)

    def _io(self, *args: str) -> None:
        command, *rest = args
        python = str(SPARK_VENV / "bin" / "python")
        result = subprocess.run(
            [python, "-m", "tests.support.parity.spark_io", command, str(self.spark_dir), *rest],
            cwd=PROJECT_ROOT,
            env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise AssertionError(f"spark_io {command} failed:\n{result.stderr[-4000:]}")

    def load(self, tables: list[RawTable], folder: Path, phase: int) -> None:
        self._io("load", str(folder), str(phase), *(table.name for table in tables))

    def build(self, as_of: str) -> str:
        env = {"UPSTREAM_TARGET": "spark", "UPSTREAM_SPARK_DIR": str(self.spark_dir)}
        return run_dbt_command(SPARK_VENV / "bin" / "dbt", self.workdir, env, as_of)

    def read(self, relations: list[str]) -> dict[str, tuple[list[str], list[tuple]]]:
        out = self.workdir / "dump.pickle"
        self._io("dump", str(out), *(f"analytics.{relation}" for relation in relations))
        with out.open("rb") as dumped:
            result = pickle.load(dumped)
        return {relation: result[f"analytics.{relation}"] for relation in relations}
