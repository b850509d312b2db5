"""Profiles refreshed incrementally equal a full rebuild over the same data."""

from pathlib import Path

import pytest

from tests.support.warehouse import query, run_dbt, write_raw_tables

DAY_1_END = "2026-03-01 23:59:59"
DAY_2_END = "2026-03-02 23:59:59"


def _identify(message_id: str, anonymous_id: str, user_id: str, email: str, at: str) -> dict:
    return {
        "id": message_id,
        "anonymous_id": anonymous_id,
        "user_id": user_id,
        "email": email,
        "timestamp": at,
        "received_at": at,
    }


def _order(message_id: str, anonymous_id: str, order_id: str, revenue: str, at: str) -> dict:
    return {
        "id": message_id,
        "anonymous_id": anonymous_id,
        "timestamp": at,
        "received_at": at,
        "order_id": order_id,
        "revenue": revenue,
    }


IDENTIFIES = [
    # A month older than everything else: outside the lookback, so day 2 leaves it alone.
    _identify("inc-i0", "inc-b", "inc-ub", "old.friend@gmail.com", "2026-01-30T09:00:00Z"),
    _identify("inc-i1", "inc-a", "inc-ua", "active@gmail.com", "2026-03-01T09:00:00Z"),
]
DAY_1_ORDERS = [
    _order("inc-o0", "inc-b", "order-b1", "15.00", "2026-01-30T10:00:00Z"),
    _order("inc-o1", "inc-a", "order-a1", "30.00", "2026-03-01T10:00:00Z"),
]
DAY_2_ORDERS = [_order("inc-o2", "inc-a", "order-a2", "20.00", "2026-03-02T10:00:00Z")]


def _as_of(value: str) -> str:
    return f'{{upstream__as_of: "{value}"}}'


def _profiles(db: Path) -> list[tuple]:
    return query(db, "select * from profiles order by profile_id")


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("profiles_incremental")
    incremental, rebuilt = root / "incremental.duckdb", root / "rebuilt.duckdb"
    write_raw_tables(incremental, {"identifies": IDENTIFIES, "order_completed": DAY_1_ORDERS})
    run_dbt(incremental, "build", "--vars", _as_of(DAY_1_END))
    write_raw_tables(incremental, {"identifies": IDENTIFIES, "order_completed": DAY_1_ORDERS + DAY_2_ORDERS})
    run_dbt(incremental, "build", "--vars", _as_of(DAY_2_END))
    write_raw_tables(rebuilt, {"identifies": IDENTIFIES, "order_completed": DAY_1_ORDERS + DAY_2_ORDERS})
    run_dbt(rebuilt, "build", "--full-refresh", "--vars", _as_of(DAY_2_END))
    return {"incremental": incremental, "rebuilt": rebuilt}


def test_incremental_profiles_equal_a_full_rebuild(warehouses):
    incremental = _profiles(warehouses["incremental"])
    assert incremental, "profiles must not be empty"
    assert incremental == _profiles(warehouses["rebuilt"])


def test_only_profiles_with_new_data_were_recomputed(warehouses):
    rows = query(
        warehouses["incremental"],
        "select p.user_id, cast(l.computed_as_of as varchar) from int_profile_lifetime_traits l "
        "join profiles p using (profile_id) order by p.user_id",
    )
    assert rows == [("inc-ua", DAY_2_END), ("inc-ub", DAY_1_END)]


def test_new_order_is_counted(warehouses):
    rows = query(warehouses["incremental"], "select user_id, order_count from profiles order by user_id")
    assert rows == [("inc-ua", 2), ("inc-ub", 1)]
