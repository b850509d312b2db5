"""One interface over the three engines of the parity suites: run the scenario's phases (load a
phase of raw tables, `dbt build` as of its instant, read back every relation of the target
schema) and return what each phase left. Each warehouse lives in its own place (a DuckDB file,
a PostgreSQL database, a Spark directory), so suites never share state, and the two engines of
a suite run side by side on the two cores."""

import os
import pickle
import subprocess
import sys
from pathlib import Path

import duckdb

from tests.support.parity import duckdb_engine, postgres_engine
from tests.support.parity.build_args import dbt_build_args
from tests.support.parity.raw_phases import RawTable
from tests.support.warehouse import PROJECT_ROOT

SPARK_VENV = Path(os.environ.get("UPSTREAM_SPARK_VENV", PROJECT_ROOT / ".venv-spark"))

Relations = dict[str, tuple[list[str], list[tuple]]]
Phases = tuple[tuple[int, str], ...]


def run_dbt_command(dbt: Path, workdir: Path, env: dict[str, str], as_of: str) -> str:
    command = [str(dbt), *dbt_build_args(workdir, as_of)]
    result = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        engine = env.get("UPSTREAM_TARGET", "duckdb")
        raise AssertionError(f"dbt build failed ({engine}):\n{result.stdout[-6000:]}")
    return result.stdout


class PhaseByPhase:
    """Load, build and read back each phase in turn, from this process."""

    def run_phases(self, tables: list[RawTable], folder: Path, phases: Phases) -> list[Relations]:
        results = []
        for phase, as_of in phases:
            self.load(tables, folder, phase)
            self.build(as_of)
            results.append(self.read_all())
        return results


class DuckDBWarehouse(PhaseByPhase):
    name = "duckdb"

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.db_path = workdir / "upstream.duckdb"

    def load(self, tables: list[RawTable], folder: Path, phase: int) -> None:
        duckdb_engine.load_phase(self.db_path, tables, folder, phase)

    def build(self, as_of: str) -> str:
        dbt = Path(sys.executable).parent / "dbt"
        return run_dbt_command(dbt, self.workdir, {"UPSTREAM_DUCKDB_PATH": str(self.db_path)}, as_of)

    def read_all(self) -> Relations:
        """Every relation the build left in the target schema (scratch tables are dropped)."""
        with duckdb.connect(str(self.db_path), read_only=True) as con:
            rows = con.execute(
                "select table_name from information_schema.tables where table_schema = 'main' order by 1"
            ).fetchall()
        return {name: duckdb_engine.read_table(self.db_path, name) for (name,) in rows}


class PostgresWarehouse(PhaseByPhase):
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

    def read_all(self) -> Relations:
        return postgres_engine.read_schema(self.database, "analytics")

    def close(self) -> None:
        postgres_engine.drop_database(self.database)


class SparkWarehouse:
    """Local Spark in .venv-spark (dbt-spark's session method, its files under workdir): the
    whole scenario runs in one Spark driver (tests/support/parity/spark_scenario.py)."""

    name = "spark"

    def __init__(self, workdir: Path) -> None:
        if not (SPARK_VENV / "bin" / "dbt").exists():
            raise AssertionError(f"{SPARK_VENV} has no dbt: run `make spark-install` first")
        self.workdir = workdir
        self.spark_dir = workdir / "spark"
        self.spark_dir.mkdir(parents=True, exist_ok=True)

    def run_phases(self, tables: list[RawTable], folder: Path, phases: Phases) -> list[Relations]:
        command = [
            str(SPARK_VENV / "bin" / "python"),
            "-m",
            "tests.support.parity.spark_scenario",
            str(self.spark_dir),
            str(folder),
            str(self.workdir),
            ",".join(table.name for table in tables),
            *(f"{phase}={as_of}" for phase, as_of in phases),
        ]
        env = {
            **os.environ,
            "PYTHONPATH": str(PROJECT_ROOT),
            "UPSTREAM_TARGET": "spark",
            "UPSTREAM_SPARK_DIR": str(self.spark_dir),
        }
        result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            output = f"{result.stdout[-6000:]}\n{result.stderr[-4000:]}"
            raise AssertionError(f"the Spark scenario failed:\n{output}")
        dumps = []
        for phase, _ in phases:
            with (self.workdir / f"phase{phase}.pickle").open("rb") as dumped:
                dumps.append(pickle.load(dumped))
        return dumps
