"""A young Segment schema lacks tables and columns; staging must still build and stay honest."""

from pathlib import Path

import duckdb
import pytest

from tests.support.warehouse import query, run_dbt


@pytest.fixture(scope="module")
def sparse_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Only `tracks` (typed timestamps, no optional columns) and a `pages` without its timestamp."""
    db = tmp_path_factory.mktemp("sparse") / "upstream.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("set TimeZone = 'UTC'")
        con.execute("create schema raw")
        con.execute(
            "create table raw.tracks (id varchar, anonymous_id varchar, "
            "timestamp timestamptz, received_at timestamptz)"
        )
        con.execute(
            "insert into raw.tracks values "
            "('t1', 'a1', '2026-03-01 12:00:00+00', '2026-03-01 12:00:01+00'), "
            "('t2', 'a2', '2026-03-01 14:00:00+02', '2026-03-01 12:00:01+00')"
        )
        con.execute("create table raw.pages (id varchar, anonymous_id varchar, received_at varchar)")
        con.execute("insert into raw.pages values ('p1', 'a1', '2026-03-01T12:00:01Z')")
    run_dbt(db, "build")
    return db


def test_missing_optional_columns_read_as_null(sparse_warehouse):
    rows = query(
        sparse_warehouse,
        "select message_id, user_id, event_name, cast(occurred_at as varchar) "
        "from stg_segment__tracks order by message_id",
    )
    assert rows == [
        ("t1", None, None, "2026-03-01 12:00:00"),
        ("t2", None, None, "2026-03-01 12:00:00"),
    ]


@pytest.mark.parametrize(
    "model",
    [
        "stg_segment__identifies",
        "stg_segment__users",
        "stg_segment__screens",
        "stg_segment__product_viewed_events",
        "stg_segment__order_completed_events",
    ],
)
def test_missing_tables_read_as_empty(sparse_warehouse, model):
    assert query(sparse_warehouse, f"select count(*) from {model}") == [(0,)]


def test_missing_required_column_quarantines_rows(sparse_warehouse):
    rows = query(
        sparse_warehouse, "select message_id, reason from rejected_events where source_table = 'pages'"
    )
    assert rows == [("p1", "missing_timestamp")]


def test_summary_lists_every_table_even_absent_ones(sparse_warehouse):
    rows = dict(query(sparse_warehouse, "select source_table, raw_rows from segment_load_summary"))
    assert len(rows) == 10
    assert rows["tracks"] == 2
    assert rows["order_completed"] == 0


def test_column_added_later_is_picked_up_on_next_build(sparse_warehouse, tmp_path):
    db = tmp_path / "evolving.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema raw")
        con.execute(
            "create table raw.tracks as select 't1' as id, 'a1' as anonymous_id, "
            "'2026-03-01T12:00:00Z' as timestamp, '2026-03-01T12:00:01Z' as received_at"
        )
    run_dbt(db, "run", "--select", "+stg_segment__tracks")
    assert query(db, "select user_id from stg_segment__tracks") == [(None,)]
    with duckdb.connect(str(db)) as con:
        # As in a Segment warehouse: the column appears with the first row that has a value, and
        # the rows loaded before hold NULL in it.
        con.execute("alter table raw.tracks add column user_id varchar")
        con.execute(
            "insert into raw.tracks values ('t2', 'a1', '2026-03-01T13:00:00Z', '2026-03-01T13:00:01Z', 'u1')"
        )
    run_dbt(db, "run", "--select", "+stg_segment__tracks")
    sql = "select message_id, user_id from stg_segment__tracks order by 1"
    assert query(db, sql) == [("t1", None), ("t2", "u1")]


def test_no_raw_schema_at_all_still_builds(tmp_path):
    db = tmp_path / "empty.duckdb"
    run_dbt(db, "build")
    assert query(db, "select sum(raw_rows) from segment_load_summary") == [(0,)]
    assert query(db, "select count(*) from rejected_events") == [(0,)]
