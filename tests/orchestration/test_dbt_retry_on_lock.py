"""A run's dbt starts again when another process held the DuckDB file as it started (a loader
appending raw rows), and does not when the file stays held or when dbt got as far as its nodes;
the step's read of the built tables afterwards waits for such a writer too."""

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from dagster_dbt import DbtCliResource

from orchestration import dbt_retry_on_lock
from orchestration.project import DBT_EXECUTABLE, UPSTREAM_PROJECT
from tests.support.warehouse import PROJECT_ROOT, write_raw_tables

HOLD = (
    "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True); "
    "time.sleep(float(sys.argv[2]))"
)


@pytest.fixture()
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "upstream.duckdb"
    write_raw_tables(
        db, {"users": [{"id": "u-1", "email": "a@example.com", "received_at": "2026-03-01T00:00:00Z"}]}
    )
    monkeypatch.setenv("UPSTREAM_DUCKDB_PATH", str(db))
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    return db


def _hold(db: Path, seconds: float) -> subprocess.Popen:
    """Another process writing the file for `seconds` (returns once it holds the lock)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


def _releaser(holder: subprocess.Popen, warnings: list[str]):
    """A warn callback that records the warning and makes the other writer let go."""

    def release(message: str) -> None:
        warnings.append(message)
        holder.kill()
        holder.wait()

    return release


def _run(select: str):
    dbt = DbtCliResource(project_dir=str(PROJECT_ROOT), dbt_executable=DBT_EXECUTABLE)
    manifest = UPSTREAM_PROJECT.manifest_path
    return lambda: dbt.cli(["run", "--select", select], manifest=manifest, raise_on_error=False)


def test_dbt_starts_again_once_the_writer_is_gone(warehouse: Path) -> None:
    # The other writer holds the file until dbt has failed once (dbt's start-up takes seconds, so
    # a writer on a timer could be gone before dbt opens the file).
    holder = _hold(warehouse, 120)
    warnings: list[str] = []
    release = _releaser(holder, warnings)
    try:
        list(dbt_retry_on_lock.stream_until_started(_run("base_segment__users"), release, pause_s=1))
    finally:
        holder.kill()
    assert len(warnings) == 1 and "attempt 1 of" in warnings[0]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from main.base_segment__users").fetchone()[0] == 1


def test_a_writer_that_stays_fails_the_run_after_the_attempts(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dbt_retry_on_lock, "START_ATTEMPTS", 2)
    holder = _hold(warehouse, 60)
    warnings: list[str] = []
    try:
        with pytest.raises(Exception, match="lock"):
            list(
                dbt_retry_on_lock.stream_until_started(
                    _run("base_segment__users"), warnings.append, pause_s=0.1
                )
            )
    finally:
        holder.kill()
    assert len(warnings) == 1


def test_a_model_that_fails_is_not_started_again(warehouse: Path) -> None:
    warnings: list[str] = []
    # A model whose parent was never built fails in the run itself, with run_results.json written.
    with pytest.raises(Exception, match="base_segment__users"):
        list(dbt_retry_on_lock.stream_until_started(_run("stg_segment__users"), warnings.append, pause_s=0.1))
    assert warnings == []


def test_the_read_after_the_build_waits_for_the_writer(warehouse: Path) -> None:
    holder = _hold(warehouse, 120)
    warnings: list[str] = []
    release = _releaser(holder, warnings)
    try:
        with dbt_retry_on_lock.connect_read_only(warehouse, release, pause_s=0.2) as con:
            assert con.execute("select count(*) from raw.users").fetchone() == (1,)
    finally:
        holder.kill()
    assert len(warnings) == 1 and "held by another process" in warnings[0]


def test_the_read_after_the_build_gives_up_while_the_file_stays_held(warehouse: Path) -> None:
    holder = _hold(warehouse, 120)
    warnings: list[str] = []
    try:
        with pytest.raises(duckdb.IOException, match="lock"):
            dbt_retry_on_lock.connect_read_only(warehouse, warnings.append, pause_s=0.05)
    finally:
        holder.kill()
    assert len(warnings) == dbt_retry_on_lock.START_ATTEMPTS - 1
