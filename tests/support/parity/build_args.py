"""The `dbt build` arguments every parity build uses, whichever engine and however it is run."""

from pathlib import Path

# Not tests.support.warehouse: this module also runs under .venv-spark, which has no duckdb.
PROJECT_ROOT = Path(__file__).resolve().parents[3]

# dbt's own data tests and unit tests run on DuckDB in `make dbt-test`; here only models. The
# comparison reads the warehouse, so dbt need not write manifest.json and run_results.json.
BUILD_ARGS = ("build", "--exclude-resource-type", "test", "unit_test", "--no-write-json")


def dbt_build_args(workdir: Path, as_of: str) -> list[str]:
    return [
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
