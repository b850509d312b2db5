"""Identifiers and timestamps come out of staging in one canonical form (table-driven)."""

from pathlib import Path

import pytest

from tests.support.crafted_rows import EMAIL_CASES, ID_CASES, PHONE_CASES, TIMESTAMP_CASES
from tests.support.warehouse import query


def _staged(db: Path, message_id: str, column: str):
    rows = query(db, f"select {column} from stg_segment__identifies where message_id = ?", [message_id])
    assert len(rows) == 1, f"{message_id} should be staged exactly once, found {len(rows)}"
    return rows[0][0]


@pytest.mark.parametrize(("case", "raw", "expected"), EMAIL_CASES, ids=[c[0] for c in EMAIL_CASES])
def test_email_is_trimmed_lowercased_and_junk_is_null(crafted_warehouse, case, raw, expected):
    assert _staged(crafted_warehouse, case, "email") == expected


@pytest.mark.parametrize(("case", "raw", "expected"), PHONE_CASES, ids=[c[0] for c in PHONE_CASES])
def test_phone_becomes_e164_or_null(crafted_warehouse, case, raw, expected):
    assert _staged(crafted_warehouse, case, "phone") == expected


@pytest.mark.parametrize(
    ("case", "raw_anonymous_id", "raw_user_id", "anonymous_id", "user_id"),
    ID_CASES,
    ids=[c[0] for c in ID_CASES],
)
def test_placeholder_ids_become_null(
    crafted_warehouse, case, raw_anonymous_id, raw_user_id, anonymous_id, user_id
):
    assert _staged(crafted_warehouse, case, "anonymous_id") == anonymous_id
    assert _staged(crafted_warehouse, case, "user_id") == user_id


@pytest.mark.parametrize(("case", "raw", "expected"), TIMESTAMP_CASES, ids=[c[0] for c in TIMESTAMP_CASES])
def test_timestamps_are_utc(crafted_warehouse, case, raw, expected):
    occurred_at = _staged(crafted_warehouse, case, "cast(occurred_at as varchar)")
    assert occurred_at == expected


def test_staged_timestamp_columns_have_no_zone(crafted_warehouse):
    types = query(
        crafted_warehouse,
        "select column_name, data_type from information_schema.columns "
        "where table_name = 'stg_segment__identifies' and column_name like '%_at'",
    )
    assert types, "staging must expose its timestamp columns"
    assert {data_type for _, data_type in types} == {"TIMESTAMP"}
