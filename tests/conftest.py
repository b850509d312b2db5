"""Shared fixtures: a warehouse of hand-crafted raw rows, built once by real dbt."""

import fcntl
import os
import shutil
from functools import cache
from pathlib import Path

import pytest

from datagen.generate import GenerationConfig, generate
from tests.support.crafted_rows import crafted_tables
from tests.support.file_order import measured_seconds, start_order
from tests.support.shared_builds import built_once
from tests.support.sync_fixtures import audience_warehouse
from tests.support.warehouse import PROJECT_ROOT, run_dbt, write_raw_tables

# Every warehouse a test builds names its profiles with this key instead of drawing its own, so
# tests that compare warehouses built apart (an incremental build with a rebuild, DuckDB with
# PostgreSQL and Spark) compare the same ids. tests/identity/test_identity_profile_key.py unsets it.
os.environ.setdefault("UPSTREAM_PROFILE_ID_KEY", "upstream-test-suite")

# Importing the code location parses the dbt project into target/dagster when the manifest is
# missing or stale. Test workers (pytest-xdist) import it at once: one parses, the others wait for
# the lock and find the manifest fresh.
PROJECT_ROOT.joinpath("target").mkdir(exist_ok=True)
with open(PROJECT_ROOT / "target" / ".manifest.lock", "w") as lock:
    fcntl.flock(lock, fcntl.LOCK_EX)
    import orchestration.project  # noqa: F401


@pytest.fixture(scope="session")
def crafted_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB file holding the crafted raw rows, after a full `dbt build` (tests included)."""

    def build(db_path: Path) -> None:
        write_raw_tables(db_path, crafted_tables())
        run_dbt(db_path, "build", "--vars", "{upstream__as_of: '2026-03-10 00:00:00'}")

    return built_once(tmp_path_factory, "crafted", build)


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Raw and truth schemas from the demo generator (40k events, seed 7), not yet built."""
    return built_once(
        tmp_path_factory,
        "generated",
        lambda db: generate(GenerationConfig(db_path=db, events=40_000, seed=7)),
    )


@pytest.fixture(scope="session")
def generated_and_built(generated: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the generated warehouse after a full `dbt build` (`generated` stays unbuilt)."""

    def build(db: Path) -> None:
        shutil.copy(generated, db)
        run_dbt(db, "build")

    return built_once(tmp_path_factory, "generated_built", build)


@pytest.fixture
def con(tmp_path: Path):
    """A warehouse with the sync ledger and main.audience (30 members), for the reverse-ETL tests."""
    connection = audience_warehouse(tmp_path / "upstream.duckdb")
    yield connection
    connection.close()


# What makes a test slow: a dbt build (directly or through a shared warehouse), the demo, Dagster,
# or another engine. `make check` runs the rest.
SLOW_FOLDERS = {"parity", "orchestration"}
SLOW_FIXTURES = {"crafted_warehouse", "generated", "generated_and_built", "demo_output"}
SLOW_CALLS = ("run_dbt(", "build_as_of(", "generate(")


@cache
def _builds(module: Path) -> bool:
    return any(call in module.read_text() for call in SLOW_CALLS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Longest files first (tests/support/file_order.py); the sort is stable, so each file keeps
    # its own order.
    files = list(dict.fromkeys(item.nodeid.split("::", 1)[0] for item in items))
    rank = {path: index for index, path in enumerate(start_order(files, measured_seconds()))}
    items.sort(key=lambda item: rank[item.nodeid.split("::", 1)[0]])
    for item in items:
        module = Path(str(item.fspath))
        if (
            SLOW_FOLDERS & set(module.parts)
            or SLOW_FIXTURES & set(getattr(item, "fixturenames", ()))
            or _builds(module)
        ):
            item.add_marker(pytest.mark.slow)
