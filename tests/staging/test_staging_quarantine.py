"""Unusable raw rows land in rejected_events with a reason; the build stays green."""

import json

import pytest

from tests.support.crafted_rows import ORDER_REJECT_CASES, PAGE_EDGE_ACCEPTED, PAGE_REJECT_CASES
from tests.support.warehouse import query


def _rejection(db, source_table, message_id):
    return query(
        db,
        "select reason, raw_row from rejected_events where source_table = ? and message_id = ?",
        [source_table, message_id],
    )


@pytest.mark.parametrize(
    ("message_id", "overrides", "reason"), PAGE_REJECT_CASES, ids=[c[0] for c in PAGE_REJECT_CASES]
)
def test_page_row_is_quarantined_with_reason(crafted_warehouse, message_id, overrides, reason):
    rows = _rejection(crafted_warehouse, "pages", message_id)
    assert [r[0] for r in rows] == [reason]
    raw = json.loads(rows[0][1])
    assert raw["id"] == message_id
    for column, value in overrides.items():
        assert raw[column] == value, f"raw row must keep {column} exactly as received"
    staged = query(crafted_warehouse, "select 1 from stg_segment__pages where message_id = ?", [message_id])
    assert staged == []


@pytest.mark.parametrize(
    ("message_id", "overrides", "reason"), ORDER_REJECT_CASES, ids=[c[0] for c in ORDER_REJECT_CASES]
)
def test_order_products_problems_are_quarantined(crafted_warehouse, message_id, overrides, reason):
    rows = _rejection(crafted_warehouse, "order_completed", message_id)
    assert [r[0] for r in rows] == [reason]


def test_missing_message_id_is_quarantined(crafted_warehouse):
    rows = query(
        crafted_warehouse,
        "select reason, raw_row from rejected_events where source_table = 'pages' and message_id is null",
    )
    assert [r[0] for r in rows] == ["missing_message_id"]
    assert json.loads(rows[0][1])["anonymous_id"] == "anon-missing-id"


@pytest.mark.parametrize(
    ("message_id", "overrides"), PAGE_EDGE_ACCEPTED, ids=[c[0] for c in PAGE_EDGE_ACCEPTED]
)
def test_rows_at_the_limits_are_accepted(crafted_warehouse, message_id, overrides):
    staged = query(crafted_warehouse, "select 1 from stg_segment__pages where message_id = ?", [message_id])
    assert staged == [(1,)]


def test_valid_order_has_parsed_products_and_unreadable_amounts_are_null(crafted_warehouse):
    rows = query(
        crafted_warehouse,
        "select message_id, product_count, products->>'$[1].product_id', revenue, currency "
        "from stg_segment__order_completed_events order by message_id",
    )
    assert [(r[0], r[1], r[2], None if r[3] is None else float(r[3]), r[4]) for r in rows] == [
        ("order-bad-revenue", 2, "p2", None, "USD"),
        ("order-valid", 2, "p2", 20.0, "USD"),
    ]


def test_every_raw_row_is_accounted_for(crafted_warehouse):
    rows = query(
        crafted_warehouse,
        "select source_table, raw_rows - staged_rows - duplicate_rows_dropped - rejected_rows "
        "from segment_load_summary",
    )
    assert rows and all(unaccounted == 0 for _, unaccounted in rows)
