"""PostgreSQL parity: the same raw data gives the same rows on PostgreSQL as on DuckDB, after a
full build and after an incremental build (`make test-postgres`; PostgreSQL from
`make postgres-up`, connection from UPSTREAM_PG_* env vars)."""

import os

import pytest

from datagen.generate import GenerationConfig, generate
from tests.parity import scenario
from tests.parity.warehouses import DuckDBWarehouse, PostgresWarehouse
from tests.warehouse import PROJECT_ROOT


@pytest.fixture(scope="module")
def phases(tmp_path_factory: pytest.TempPathFactory) -> list[scenario.PhaseResult]:
    root = tmp_path_factory.mktemp("parity_postgres")
    source = root / "source.duckdb"
    generate(GenerationConfig(db_path=source, events=20_000, seed=23))
    (root / "duckdb").mkdir()
    (root / "postgres").mkdir()
    postgres = PostgresWarehouse(root / "postgres", f"upstream_parity_{os.getpid()}")
    try:
        yield scenario.run(DuckDBWarehouse(root / "duckdb"), postgres, source, root / "raw")
    finally:
        postgres.close()


@pytest.mark.parametrize("phase", [0, 1], ids=["full_build", "incremental_build"])
def test_postgres_rows_equal_duckdb(phases: list[scenario.PhaseResult], phase: int) -> None:
    result = phases[phase]
    empty = [name for name in scenario.MUST_HAVE_ROWS if not result.row_counts.get(name)]
    assert not empty, f"as of {result.as_of} these models are empty, so parity proves nothing: {empty}"
    assert sum(count for name, count in result.row_counts.items() if name.startswith("sync_")) > 0
    assert not result.differences, "\n\n".join(result.differences)


def test_every_model_was_compared(phases: list[scenario.PhaseResult]) -> None:
    compared = set(phases[-1].row_counts)
    models = {path.stem for path in (PROJECT_ROOT / "models").rglob("*.sql")}
    assert models - compared == set()
