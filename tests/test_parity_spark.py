"""Spark parity: the same raw data gives the same rows on a local Spark session (dbt-spark,
`session` method, in .venv-spark) as on DuckDB, after a full build and after an incremental
build (`make test-spark`)."""

import pytest

from datagen.generate import GenerationConfig, generate
from tests.parity import scenario
from tests.parity.warehouses import DuckDBWarehouse, SparkWarehouse
from tests.warehouse import PROJECT_ROOT


@pytest.fixture(scope="module")
def phases(tmp_path_factory: pytest.TempPathFactory) -> list[scenario.PhaseResult]:
    root = tmp_path_factory.mktemp("parity_spark")
    source = root / "source.duckdb"
    generate(GenerationConfig(db_path=source, events=20_000, seed=23))
    (root / "duckdb").mkdir()
    (root / "spark").mkdir()
    spark = SparkWarehouse(root / "spark")
    return scenario.run(DuckDBWarehouse(root / "duckdb"), spark, source, root / "raw")


@pytest.mark.parametrize("phase", [0, 1], ids=["full_build", "incremental_build"])
def test_spark_rows_equal_duckdb(phases: list[scenario.PhaseResult], phase: int) -> None:
    result = phases[phase]
    empty = [name for name in scenario.MUST_HAVE_ROWS if not result.row_counts.get(name)]
    assert not empty, f"as of {result.as_of} these models are empty, so parity proves nothing: {empty}"
    assert sum(count for name, count in result.row_counts.items() if name.startswith("sync_")) > 0
    assert not result.differences, "\n\n".join(result.differences)


def test_every_model_was_compared(phases: list[scenario.PhaseResult]) -> None:
    models = {path.stem for path in (PROJECT_ROOT / "models").rglob("*.sql")}
    assert models - set(phases[-1].row_counts) == set()


def test_spark_leaves_nothing_in_the_checkout(phases: list[scenario.PhaseResult]) -> None:
    spark_files = ("metastore_db", "derby.log", "spark-warehouse")
    left = [name for name in spark_files if (PROJECT_ROOT / name).exists()]
    assert not left, f"Spark wrote {left} into the checkout; its files belong under UPSTREAM_SPARK_DIR"
