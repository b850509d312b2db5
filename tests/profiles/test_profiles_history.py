"""profile_changes keeps every trait change, so "what did we know at D" is one query."""

from pathlib import Path

import pytest

from tests.support.warehouse import query, run_dbt, write_raw_tables

DAY_1_END = "2026-03-01 23:59:59"
DAY_2_END = "2026-03-02 23:59:59"


def _order(message_id: str, order_id: str, at: str, revenue: str) -> dict:
    return {
        "id": message_id,
        "anonymous_id": "hist-a1",
        "user_id": "hist-u1",
        "timestamp": at,
        "received_at": at,
        "order_id": order_id,
        "revenue": revenue,
        "currency": "usd",
    }


IDENTIFY = {
    "id": "hist-identify",
    "anonymous_id": "hist-a1",
    "user_id": "hist-u1",
    "email": "hist@gmail.com",
    "timestamp": "2026-03-01T09:00:00Z",
    "received_at": "2026-03-01T09:00:01Z",
}


def _as_of(value: str) -> str:
    return f'{{upstream__as_of: "{value}"}}'


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("history") / "upstream.duckdb"
    day_1 = [_order("hist-o1", "order-1", "2026-03-01T10:00:00Z", "30.00")]
    day_2 = [_order("hist-o2", "order-2", "2026-03-02T10:00:00Z", "20.00")]
    write_raw_tables(db, {"identifies": [IDENTIFY], "order_completed": day_1})
    run_dbt(db, "build", "--vars", _as_of(DAY_1_END))
    write_raw_tables(db, {"identifies": [IDENTIFY], "order_completed": day_1 + day_2})
    run_dbt(db, "build", "--vars", _as_of(DAY_2_END))
    # A replay of day 1 must not rewrite history.
    run_dbt(db, "run", "--select", "profiles", "profile_changes", "--vars", _as_of(DAY_1_END))
    return db


def test_each_change_is_recorded_with_old_and_new_value(history):
    rows = query(
        history,
        "select old_value, new_value, cast(changed_at as varchar) from profile_changes "
        "where trait = 'order_count' order by changed_at",
    )
    assert rows == [(None, "1", DAY_1_END), ("1", "2", DAY_2_END)]


def test_unchanged_traits_are_not_repeated(history):
    rows = query(history, "select count(*) from profile_changes where trait = 'email'")
    assert rows == [(1,)]


def test_what_we_knew_at_a_date_is_one_query(history):
    rows = query(
        history,
        """
        select trait, new_value from (
            select *, row_number() over (partition by trait order by changed_at desc) as rank
            from profile_changes where changed_at <= ?
        ) where rank = 1 and trait in ('order_count', 'lifetime_revenue', 'email') order by trait
        """,
        ["2026-03-02 12:00:00"],
    )
    assert rows == [("email", "hist@gmail.com"), ("lifetime_revenue", "30.00"), ("order_count", "1")]
