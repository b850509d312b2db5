"""The load step moves landing files into raw tables exactly once, in Segment's warehouse layout:
a second load adds nothing, a load that fails part-way leaves nothing and the next one loads it
all, an open file is read up to its last complete line, a new property becomes a new column, a
value that does not fit its column widens the column instead of being dropped, the event time is
corrected for the device's clock, and `users` keeps the latest traits per user."""

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from collector import loader
from collector.landing import CLOSED_SUFFIX, OPEN_SUFFIX
from collector.loader import load
from collector.raw_duckdb import DuckDBRawTables


def _line(message_id: str, **fields) -> bytes:
    record = {
        "type": "track",
        "event": "Order Completed",
        "userId": "u-1",
        "messageId": message_id,
        "receivedAt": "2026-12-01T10:00:00.000Z",
        "_upstream_source": "web",
        **fields,
    }
    return json.dumps(record).encode() + b"\n"


def _land(folder: Path, name: str, *lines: bytes, closed: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}{CLOSED_SUFFIX if closed else OPEN_SUFFIX}"
    path.write_bytes(b"".join(lines))
    return path


def _load(folder: Path, db: Path):
    tables = DuckDBRawTables(db, "raw")
    try:
        return load(folder, tables)
    finally:
        tables.close()


def _rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_a_second_load_adds_nothing(tmp_path):
    landing, db = tmp_path / "landing", tmp_path / "w.duckdb"
    _land(landing, "a", _line("m-1"), _line("m-2"))
    first = _load(landing, db)
    assert (first.events, first.rows_by_table) == (2, {"tracks": 2, "order_completed": 2})
    assert not list(landing.iterdir()), "a loaded closed file is removed"
    _land(landing, "a", _line("m-1"), _line("m-2"))  # the same file again, as after a crash before removal
    assert _load(landing, db).events == 0
    assert _rows(db, "select count(*), count(distinct id) from raw.tracks") == [(2, 2)]
    assert _rows(db, "select file_name, loaded_rows, is_closed from upstream_collector.loaded_files") == [
        ("a", 2, True)
    ]


def test_a_load_that_fails_part_way_leaves_nothing_and_the_next_loads_everything(tmp_path, monkeypatch):
    landing, db = tmp_path / "landing", tmp_path / "w.duckdb"
    _land(landing, "a", _line("m-1"), _line("m-2", type="identify", traits={"email": "a@b.c"}))
    original = DuckDBRawTables.insert_ndjson

    def fail_on_tracks(self, table, columns, parts):
        if table == "tracks":
            raise RuntimeError("disk gone")
        return original(self, table, columns, parts)

    monkeypatch.setattr(DuckDBRawTables, "insert_ndjson", fail_on_tracks)
    with pytest.raises(RuntimeError):
        _load(landing, db)
    assert _rows(db, "select count(*) from upstream_collector.loaded_files") == [(0,)]
    assert _rows(db, "select count(*) from information_schema.tables where table_schema = 'raw'") == [(0,)]
    monkeypatch.setattr(DuckDBRawTables, "insert_ndjson", original)
    assert _load(landing, db).events == 2
    assert _rows(db, "select count(*) from raw.identifies") == [(1,)]
    assert _rows(db, "select count(*) from raw.tracks") == [(1,)]


def test_an_open_file_is_read_to_its_last_complete_line(tmp_path):
    landing, db = tmp_path / "landing", tmp_path / "w.duckdb"
    torn = _line("m-2")[:20]
    path = _land(landing, "a", _line("m-1"), torn, closed=False)
    # Held by a live writer: the load must not close it or cut it.
    fd = os.open(path, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        assert _load(landing, db).events == 1
        assert path.exists()
        with path.open("ab") as out:
            out.write(_line("m-2")[20:])
        assert _load(landing, db).events == 1
    finally:
        os.close(fd)
    path.rename(path.with_name(f"a{CLOSED_SUFFIX}"))
    assert _load(landing, db).events == 0
    assert not list(landing.iterdir())
    assert _rows(db, "select id from raw.tracks order by id") == [("m-1",), ("m-2",)]


def test_a_file_left_open_by_a_dead_collector_is_closed_without_its_torn_line(tmp_path):
    landing, db = tmp_path / "landing", tmp_path / "w.duckdb"
    _land(landing, "a", _line("m-1"), _line("m-2")[:25], closed=False)
    assert _load(landing, db).events == 1
    assert not list(landing.iterdir())


def test_new_properties_add_columns_and_a_misfit_widens_its_column(tmp_path):
    landing, db = tmp_path / "landing", tmp_path / "w.duckdb"
    _land(landing, "a", _line("m-1", properties={"total": 10, "coupon": "A"}))
    _load(landing, db)
    _land(landing, "b", _line("m-2", properties={"total": 12.5, "giftWrap": True}))
    _land(landing, "c", _line("m-3", properties={"total": "unknown", "nested": {"deep": {"x": 1}}}))
    _load(landing, db)
    types = dict(
        _rows(
            db,
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'raw' and table_name = 'order_completed'",
        )
    )
    assert (
        types["total"] == "VARCHAR" and types["gift_wrap"] == "BOOLEAN" and types["nested_deep_x"] == "BIGINT"
    )
    rows = _rows(db, "select id, total, coupon, gift_wrap from raw.order_completed order by id")
    assert rows == [("m-1", "10", "A", None), ("m-2", "12.5", None, True), ("m-3", "unknown", None, None)]


def test_the_event_time_is_corrected_for_the_device_clock(tmp_path):
    landing, db = tmp_path / "landing", tmp_path / "w.duckdb"
    # The device clock is 2 hours fast: it stamps the event and the send 2 hours late.
    skewed = _line(
        "m-1",
        timestamp="2026-12-01T11:59:30.000Z",
        sentAt="2026-12-01T12:00:00.000Z",
        receivedAt="2026-12-01T10:00:01.000Z",
    )
    _land(landing, "a", skewed, _line("m-2", timestamp="2026-12-01T09:00:00+01:00"))
    _load(landing, db)
    rows = _rows(
        db,
        "select id, cast(timestamp as varchar), cast(original_timestamp as varchar) "
        "from raw.tracks order by id",
    )
    assert rows == [
        ("m-1", "2026-12-01 09:59:31", "2026-12-01 11:59:30"),
        ("m-2", "2026-12-01 08:00:00", "2026-12-01 08:00:00"),
    ]


def test_users_keeps_the_latest_traits_of_each_user(tmp_path):
    landing, db = tmp_path / "landing", tmp_path / "w.duckdb"

    def identify(message_id, received, **traits):
        return _line(message_id, type="identify", traits=traits, receivedAt=received)

    _land(landing, "a", identify("i-1", "2026-12-01T10:00:00Z", email="old@x.io", plan="free"))
    _load(landing, db)
    _land(
        landing,
        "b",
        identify("i-2", "2026-12-01T11:00:00Z", email="new@x.io"),
        identify("i-0", "2026-12-01T09:00:00Z", email="older@x.io", phone="+1 415 555 0100"),
    )
    _load(landing, db)
    assert _rows(db, "select id, email, plan, phone from raw.users") == [
        ("u-1", "new@x.io", "free", "+1 415 555 0100")
    ]


def test_a_big_load_flattened_by_worker_processes_equals_one_in_process(tmp_path, monkeypatch):
    lines = [
        _line(f"m-{n}", properties={"n": n, "half": n % 2 == 0, "label": f"v{n % 3}"}, anonymousId=f"a-{n}")
        for n in range(3_000)
    ]
    results = {}
    for mode, (parallel_bytes, chunk_bytes) in {
        "in_process": (10**12, 10**12),
        "workers": (1, 50_000),
    }.items():
        monkeypatch.setattr("collector.loader.PARALLEL_BYTES", parallel_bytes)
        monkeypatch.setattr("collector.loader.CHUNK_FLATTEN_BYTES", chunk_bytes)
        landing, db = tmp_path / mode / "landing", tmp_path / mode / "w.duckdb"
        _land(landing, "a", *lines[:1_700])
        _land(landing, "b", *lines[1_700:])
        assert _load(landing, db).events == 3_000
        results[mode] = _rows(db, "select * from raw.order_completed order by id")
    assert results["workers"] == results["in_process"] and len(results["workers"]) == 3_000


def test_a_load_while_another_process_writes_the_warehouse_says_so_and_loads_nothing(tmp_path):
    landing, db = tmp_path / "landing", tmp_path / "w.duckdb"
    _land(landing, "a", _line("m-1"))
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True); "
            "time.sleep(60)",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        result = subprocess.run(
            [sys.executable, "-m", "collector", "load"],
            env={**os.environ, "UPSTREAM_DUCKDB_PATH": str(db), "UPSTREAM_LANDING_DIR": str(landing)},
            capture_output=True,
            text=True,
        )
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 75
    assert "the warehouse is busy" in result.stderr and "nothing was loaded" in result.stderr
    assert (landing / "a.ndjson").exists()
    assert _load(landing, db).events == 1


def test_a_file_closed_while_the_load_reads_it_is_read_under_its_closed_name(tmp_path, monkeypatch):
    landing, db = tmp_path / "landing", tmp_path / "w.duckdb"
    path = _land(landing, "a", _line("m-1"), _line("m-2"), closed=False)
    fd = os.open(path, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)  # a live writer holds it
    original = loader._next_slices

    def then_the_writer_closes_it(*args):
        slices = original(*args)
        if path.exists():
            path.rename(path.with_name(f"a{CLOSED_SUFFIX}"))
        return slices

    monkeypatch.setattr(loader, "_next_slices", then_the_writer_closes_it)
    try:
        assert _load(landing, db).events == 2
    finally:
        os.close(fd)
    assert _rows(db, "select id from raw.tracks order by id") == [("m-1",), ("m-2",)]
