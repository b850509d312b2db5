"""A warehouse's first dbt build and a full refresh run one model at a time; later builds keep
profiles.yml's threads."""

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.build_threads import build_thread_args

ONE_AT_A_TIME = ["--threads", "1"]


@pytest.fixture(autouse=True)
def default_target(monkeypatch):
    monkeypatch.delenv("UPSTREAM_THREADS", raising=False)
    monkeypatch.delenv("UPSTREAM_TARGET", raising=False)


def make_warehouse(path: Path, *tables: str) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists raw")
        con.execute("create table raw.tracks (message_id varchar)")
        for table in tables:
            con.execute(f"create table main.{table} (profile_id varchar)")
    return path


def test_a_warehouse_that_does_not_exist_yet_is_built_one_model_at_a_time(tmp_path):
    assert build_thread_args(tmp_path / "new.duckdb") == ONE_AT_A_TIME


def test_raw_data_without_a_build_is_built_one_model_at_a_time(tmp_path):
    assert build_thread_args(make_warehouse(tmp_path / "landed.duckdb")) == ONE_AT_A_TIME


def test_a_built_warehouse_keeps_the_profiles_threads(tmp_path):
    assert build_thread_args(make_warehouse(tmp_path / "built.duckdb", "id_graph")) == []


def test_a_full_refresh_of_a_built_warehouse_is_built_one_model_at_a_time(tmp_path):
    built = make_warehouse(tmp_path / "built.duckdb", "id_graph")
    assert build_thread_args(built, full_refresh=True) == ONE_AT_A_TIME


@pytest.mark.parametrize("variable, value", [("UPSTREAM_THREADS", "4"), ("UPSTREAM_TARGET", "postgres")])
def test_a_chosen_thread_count_or_another_target_is_left_alone(tmp_path, monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    assert build_thread_args(tmp_path / "new.duckdb") == []


def test_a_warehouse_held_by_a_writer_is_treated_as_built(tmp_path):
    warehouse = make_warehouse(tmp_path / "busy.duckdb")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys; c = duckdb.connect({str(warehouse)!r}); "
            "print('ready', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        assert build_thread_args(warehouse) == []
    finally:
        holder.communicate("")
