"""PostgreSQL parity: the same raw data gives the same rows on PostgreSQL as on DuckDB, after a
full build and after an incremental build (`make test-postgres`; PostgreSQL from
`make postgres-up`, connection from UPSTREAM_PG_* env vars)."""

import os

import pytest

from tests.support.parity import scenario
from tests.support.parity.warehouses import PostgresWarehouse


@pytest.fixture(scope="module")
def phases(tmp_path_factory: pytest.TempPathFactory) -> list[scenario.PhaseResult]:
    postgres = PostgresWarehouse(tmp_path_factory.mktemp("parity_postgres"), f"upstream_parity_{os.getpid()}")
    try:
        yield scenario.run(postgres, tmp_path_factory)
    finally:
        postgres.close()


@pytest.mark.parametrize("phase", [0, 1], ids=["full_build", "incremental_build"])
def test_postgres_rows_equal_duckdb(phases: list[scenario.PhaseResult], phase: int) -> None:
    scenario.assert_equal_and_not_vacuous(phases[phase])


def test_every_model_was_compared(phases: list[scenario.PhaseResult]) -> None:
    assert scenario.models_not_compared(phases) == set()
