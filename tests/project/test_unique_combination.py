"""The unique_combination data test (macros/data_tests): with latest_by it checks only the keys
the latest run wrote, yet it still fails on a duplicate that run made against an older row, and
it does not fail on an old duplicate it already reported."""

import duckdb
import pytest

from tests.support.warehouse import build_as_of, run_dbt, write_raw_tables

MENTIONS_TEST = "int_identifier_mentions,test_name:unique_combination"


def _track(message_id: str, anonymous_id: str, received_at: str) -> dict:
    return {
        "id": message_id,
        "anonymous_id": anonymous_id,
        "timestamp": received_at,
        "received_at": received_at,
        "event": "product_viewed",
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("unique_combination") / "upstream.duckdb"
    write_raw_tables(
        db,
        {
            "tracks": [
                _track("m-1", "anon-1", "2026-03-01T10:00:00Z"),
                _track("m-2", "anon-2", "2026-03-01T11:00:00Z"),
            ]
        },
    )
    build_as_of(db, "2026-03-02 00:00:00")
    return db


def _copy(built, tmp_path):
    db = tmp_path / "upstream.duckdb"
    db.write_bytes(built.read_bytes())
    return db


def _test_mentions(db, expect_failure: bool = False) -> str:
    return run_dbt(db, "test", "--select", MENTIONS_TEST, expect_failure=expect_failure)


def test_a_clean_table_passes(built, tmp_path):
    _test_mentions(_copy(built, tmp_path))


def test_a_new_row_duplicating_an_old_one_fails(built, tmp_path):
    db = _copy(built, tmp_path)
    with duckdb.connect(str(db)) as con:
        # The latest run wrote a second copy of m-1's mention: the old row has an older stamp.
        con.execute(
            "insert into int_identifier_mentions select * replace (loaded_at + interval 1 hour as loaded_at) "
            "from int_identifier_mentions where message_id = 'm-1'"
        )
    output = _test_mentions(db, expect_failure=True)
    assert "Failure in test unique_combination_int_identifier_mentions" in output
    assert "Got 1 result" in output


def test_an_old_duplicate_is_not_reported_again(built, tmp_path):
    db = _copy(built, tmp_path)
    with duckdb.connect(str(db)) as con:
        # An old duplicate of m-1, then a later run that wrote only m-2's mention.
        con.execute(
            "insert into int_identifier_mentions "
            "select * from int_identifier_mentions where message_id = 'm-1'"
        )
        con.execute(
            "update int_identifier_mentions set loaded_at = loaded_at + interval 1 hour "
            "where message_id = 'm-2'"
        )
    _test_mentions(db)
