"""A deletion reaches every raw table the collector writes, not only the ones staging reads:
`groups`, `aliases` (whose previous_id is an anonymous or user id), an event table no model
reads, and `users` (keyed by the user id in `id`). After the purge no table of the raw schema
holds the deleted person's values; the person kept keeps every row."""

import json
from pathlib import Path

import pytest

from collector.loader import load
from collector.raw_duckdb import DuckDBRawTables
from tests.support.parity.duckdb_engine import read_schema
from tests.support.warehouse import run_dbt, write_raw_tables

GONE = {"anonymous_id": "pc-anon-gone", "user_id": "pc-user-gone", "email": "Gone.Person@mailbox.org"}
KEPT = {"anonymous_id": "pc-anon-kept", "user_id": "pc-user-kept", "email": "kept.person@mailbox.org"}


def _messages(person: dict, tag: str) -> list[dict]:
    common = {"receivedAt": "2026-03-01T10:00:00.000Z", "_upstream_source": "web"}
    return [
        {
            **common,
            "type": "identify",
            "messageId": f"{tag}-1",
            "anonymousId": person["anonymous_id"],
            "userId": person["user_id"],
            "traits": {"email": person["email"], "nickname": f"{tag}-nick"},
        },
        {
            **common,
            "type": "group",
            "messageId": f"{tag}-2",
            "userId": person["user_id"],
            "groupId": f"{tag}-org",
            "traits": {"name": f"{tag} Ltd"},
        },
        {
            **common,
            "type": "alias",
            "messageId": f"{tag}-3",
            "userId": person["user_id"],
            "previousId": person["anonymous_id"],
        },
        {
            **common,
            "type": "track",
            "messageId": f"{tag}-4",
            "anonymousId": person["anonymous_id"],
            "event": "Coupon Applied",
            "properties": {"coupon": f"{tag}-coupon"},
        },
    ]


@pytest.fixture(scope="module")
def purged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("privacy_collector")
    landing, db = root / "landing", root / "upstream.duckdb"
    landing.mkdir()
    lines = [json.dumps(m) for m in _messages(GONE, "gone") + _messages(KEPT, "kept")]
    (landing / "a.ndjson").write_text("\n".join(lines) + "\n")
    tables = DuckDBRawTables(db, "raw")
    load(landing, tables)
    tables.close()
    write_raw_tables(
        db,
        {
            "privacy_requests": [
                {
                    "request_id": "pc-delete",
                    "id_type": "email",
                    "id_value": GONE["email"],
                    "request_type": "delete",
                    "requested_at": "2026-03-02T00:00:00Z",
                }
            ]
        },
    )
    run_dbt(db, "build", "--vars", "{upstream__as_of: '2026-03-03 00:00:00'}")
    run_dbt(
        db, "run-operation", "purge_forgotten_raw_rows", "--vars", "{upstream__as_of: '2026-03-03 00:00:00'}"
    )
    return db


def _raw_text(db: Path) -> dict[str, str]:
    """Every raw table's rows as one text per table."""
    return {name: str(rows) for name, (_, rows) in read_schema(db, "raw").items()}


def test_no_raw_table_holds_the_deleted_person(purged):
    found = {
        table: [value for value in (*GONE.values(), GONE["email"].lower(), "gone-") if value in text]
        for table, text in _raw_text(purged).items()
        if table != "privacy_requests"
    }
    assert {table: values for table, values in found.items() if values} == {}


def test_the_kept_person_keeps_every_row(purged):
    text = _raw_text(purged)
    for table in ("identifies", "users", "groups", "aliases", "tracks", "coupon_applied"):
        assert KEPT["user_id"] in text[table] or KEPT["anonymous_id"] in text[table], table
