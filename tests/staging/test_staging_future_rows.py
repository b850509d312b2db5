"""A raw row stamped in the future (a loader's broken clock, a test row left in production) is
quarantined with its own reason and never becomes a high-water mark: rows that arrive after it are
still staged and linked, the load summary counts raw rows from the raw tables, governance
statements dated in the future do not outrank later ones, and the new-data sensor's cursor does
not jump past every row still to come."""

import duckdb
import pytest

from tests.support.warehouse import build_as_of, query, run_dbt, write_raw_tables

FUTURE = "2099-01-01T00:00:00Z"


def _track(message_id: str, received_at: str, anonymous_id: str, user_id: str | None = None) -> dict:
    return {
        "id": message_id,
        "anonymous_id": anonymous_id,
        "user_id": user_id,
        "timestamp": received_at,
        "received_at": received_at,
        "event": "product_viewed",
    }


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("future_rows") / "upstream.duckdb"
    write_raw_tables(
        db,
        {
            "tracks": [_track("m-1", "2026-03-01T10:00:00Z", "anon-1", "u-1")],
            "consent_records": [
                {
                    "record_id": "c-1",
                    "id_type": "user_id",
                    "id_value": "u-1",
                    "category": "email_marketing",
                    "granted": "true",
                    "recorded_at": "2026-03-01T10:00:00Z",
                }
            ],
            "privacy_requests": [
                {
                    "request_id": "r-0",
                    "id_type": "user_id",
                    "id_value": "u-0",
                    "request_type": "suppress",
                    "requested_at": "2026-03-01T10:00:00Z",
                }
            ],
        },
    )
    build_as_of(db, "2026-03-02 00:00:00")
    with duckdb.connect(str(db)) as con:
        con.execute(
            "insert into raw.tracks (id, anonymous_id, timestamp, received_at, event) "
            "values ('m-future', 'anon-future', ?, ?, 'product_viewed')",
            [FUTURE, FUTURE],
        )
        con.execute(
            "insert into raw.consent_records "
            "values ('c-future', 'user_id', 'u-1', 'email_marketing', 'false', ?)",
            [FUTURE],
        )
        con.execute(
            "insert into raw.privacy_requests values ('r-future', 'user_id', 'u-1', 'suppress', ?)", [FUTURE]
        )
    build_as_of(db, "2026-03-10 00:00:00")
    with duckdb.connect(str(db)) as con:
        con.execute(
            "insert into raw.tracks (id, anonymous_id, user_id, timestamp, received_at, event) "
            "values ('m-next', 'anon-next', 'u-next', '2026-03-09T10:00:00Z', '2026-03-09T10:00:00Z', "
            "'product_viewed')"
        )
    build_as_of(db, "2026-03-10 00:00:00")
    return db


def test_a_row_received_in_the_future_is_quarantined_with_its_own_reason(warehouse) -> None:
    rejected = query(warehouse, "select source_table, message_id, reason from rejected_events order by 1, 2")
    assert rejected == [
        ("consent_records", "c-future", "timestamp_in_future"),
        ("privacy_requests", "r-future", "timestamp_in_future"),
        ("tracks", "m-future", "received_in_future"),
    ]


def test_rows_that_arrive_after_it_are_still_staged_and_linked(warehouse) -> None:
    staged = query(warehouse, "select message_id from stg_segment__tracks order by 1")
    assert staged == [("m-1",), ("m-next",)]
    linked = query(warehouse, "select id_value from id_graph where id_type = 'anonymous_id' order by 1")
    assert linked == [("anon-1",), ("anon-next",)]


def test_the_load_summary_counts_raw_rows_from_the_raw_table(warehouse) -> None:
    summary = query(
        warehouse,
        "select raw_rows, staged_rows, duplicate_rows_dropped, rejected_rows "
        "from segment_load_summary where source_table = 'tracks'",
    )
    assert summary == [(3, 2, 0, 1)]
    run_dbt(warehouse, "test", "--select", "assert_staged_rows_match_load_summary")


def test_the_load_summary_check_fails_when_staging_falls_behind(warehouse, tmp_path) -> None:
    behind = tmp_path / "behind.duckdb"
    behind.write_bytes(warehouse.read_bytes())
    with duckdb.connect(str(behind)) as con:  # a raw row staging has not read yet
        con.execute(
            "insert into raw.tracks (id, anonymous_id, timestamp, received_at, event) "
            "values ('m-unread', 'anon-9', '2026-03-09T11:00:00Z', '2026-03-09T11:00:00Z', 'x')"
        )
    run_dbt(behind, "run", "--select", "segment_load_summary")
    output = run_dbt(behind, "test", "--select", "assert_staged_rows_match_load_summary", expect_failure=True)
    assert "FAIL 1" in output


def test_statements_dated_in_the_future_do_not_outrank_later_ones(warehouse) -> None:
    consent = query(warehouse, "select id_value, is_granted from stg_governance__consent_records")
    assert consent == [("u-1", True)]
    suppressed = query(warehouse, "select count(*) from privacy_suppressed_profiles")
    assert suppressed == [(0,)]


def test_the_sensor_cursor_ignores_rows_received_in_the_future(warehouse, monkeypatch) -> None:
    from orchestration import sensors

    monkeypatch.setenv("UPSTREAM_DUCKDB_PATH", str(warehouse))
    assert sensors.latest_received_at() == "2026-03-09T10:00:00"
