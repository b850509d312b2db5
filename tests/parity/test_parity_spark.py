"""Spark parity: the same raw data gives the same rows on a local Spark session (dbt-spark,
`session` method, in .venv-spark) as on DuckDB, after a full build and after an incremental
build (`make test-spark`)."""

import pytest

from tests.support.parity import scenario
from tests.support.parity.warehouses import SparkWarehouse
from tests.support.warehouse import PROJECT_ROOT


@pytest.fixture(scope="module")
def phases(tmp_path_factory: pytest.TempPathFactory) -> list[scenario.PhaseResult]:
    spark = SparkWarehouse(tmp_path_factory.mktemp("parity_spark"))
    return scenario.run(spark, tmp_path_factory)


@pytest.mark.parametrize("phase", [0, 1], ids=["full_build", "incremental_build"])
def test_spark_rows_equal_duckdb(phases: list[scenario.PhaseResult], phase: int) -> None:
    scenario.assert_equal_and_not_vacuous(phases[phase])


def test_every_model_was_compared(phases: list[scenario.PhaseResult]) -> None:
    assert scenario.models_not_compared(phases) == set()


def test_spark_leaves_nothing_in_the_checkout(phases: list[scenario.PhaseResult]) -> None:
    spark_files = ("metastore_db", "derby.log", "spark-warehouse")
    left = [name for name in spark_files if (PROJECT_ROOT / name).exists()]
    assert not left, f"Spark wrote {left} into the checkout; its files belong under UPSTREAM_SPARK_DIR"
