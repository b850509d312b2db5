"""DuckDB's memory limit follows the machine unless UPSTREAM_DUCKDB_MEMORY_LIMIT names one, and it
holds for the models of the run, not only for the hook that sets it
(macros/warehouse/memory_limit.sql)."""

from pathlib import Path

import duckdb
import pytest

from tests.support.warehouse import copy_project, query, run_dbt

# A table, so the value is read while dbt runs the model (a view would read it when queried).
PROBE = "{{ config(materialized='table') }}\nselect current_setting('memory_limit') as memory_limit\n"

# What a share of the machine means: this fraction of DuckDB's own default, at least 1 GiB.
SHARE_OF_DUCKDB_DEFAULT = 0.15
FLOOR_BYTES = 1024**3

UNITS = {"bytes": 1, "kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A copy of the project with the probe model, and the warehouse file its runs write."""
    folder = tmp_path_factory.mktemp("memory_limit")
    project = copy_project(folder / "project")
    (project / "models" / "memory_limit_probe.sql").write_text(PROBE)
    return project, folder / "upstream.duckdb"


def test_the_default_is_a_share_of_the_machine(
    warehouse: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("UPSTREAM_DUCKDB_MEMORY_LIMIT", raising=False)
    with duckdb.connect() as con:
        machine_default = con.execute("select current_setting('memory_limit')").fetchone()[0]
    share = max(int(_bytes(machine_default) * SHARE_OF_DUCKDB_DEFAULT), FLOOR_BYTES)
    seen = _limit_seen_by_a_model(warehouse, None)
    assert seen == _as_duckdb_prints(f"{share}B")
    assert _bytes(seen) < _bytes(machine_default)


def test_the_variable_sets_the_limit(warehouse: tuple[Path, Path]) -> None:
    assert _limit_seen_by_a_model(warehouse, "1GB") == _as_duckdb_prints("1GB")


def test_a_value_duckdb_cannot_read_fails_the_run(warehouse: tuple[Path, Path]) -> None:
    project, db = warehouse
    output = run_dbt(
        db,
        "run",
        "--select",
        "memory_limit_probe",
        extra_env={"UPSTREAM_DUCKDB_MEMORY_LIMIT": "plenty"},
        project_dir=project,
        expect_failure=True,
    )
    assert "UPSTREAM_DUCKDB_MEMORY_LIMIT is 'plenty'" in output


def _limit_seen_by_a_model(warehouse: tuple[Path, Path], value: str | None) -> str:
    project, db = warehouse
    extra_env = {"UPSTREAM_DUCKDB_MEMORY_LIMIT": value} if value else None
    run_dbt(db, "run", "--select", "memory_limit_probe", extra_env=extra_env, project_dir=project)
    return query(db, "select memory_limit from memory_limit_probe")[0][0]


def _as_duckdb_prints(limit: str) -> str:
    with duckdb.connect() as con:
        con.execute(f"set memory_limit = '{limit}'")
        return con.execute("select current_setting('memory_limit')").fetchone()[0]


def _bytes(size: str) -> float:
    number, unit = size.split()
    return float(number) * UNITS[unit.lower()]
