"""Consent refreshed incrementally equals a full rebuild over the same data: a statement follows
its message when a login merges the profile it was on, a CMP record applies once the graph learns
its identifier, stops counting once it leaves the export and is not written again while it stays
the same, a deletion request removes the statements of the forgotten person, and a table stored
by the code before statement ids is rebuilt rather than left with rows no key replaces."""

from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from tests.support.warehouse import query, run_dbt, write_raw_tables

DAY_1 = datetime(2026, 4, 1, 12, 0, 0)
DAY_2 = DAY_1 + timedelta(days=1)
CATEGORIES = ("email_marketing", "sms_marketing", "advertising", "personalization")
STATEMENT_COLUMNS = (
    "statement_source, statement_id, profile_id, category, is_granted, stated_at, email, phone"
)

# The consent models and what they read: these scenarios check consent, not the stages after it.
CONSENT = ("--select", "+path:models/consent")


def _at(moment: datetime) -> str:
    return moment.isoformat() + "Z"


def _as_of(moment: datetime, listed_scope_limit: int | None = None) -> str:
    """--vars for the instant; a listed_scope_limit of 0 makes int_consent_statements join the
    messages it decides again as a query, not as constants (the path of big runs)."""
    limit = "" if listed_scope_limit is None else f", upstream__listed_scope_limit: {listed_scope_limit}"
    return f'{{upstream__as_of: "{moment:%Y-%m-%d %H:%M:%S}"{limit}}}'


def _identify(message_id: str, at: datetime, consent: str | None = None, **ids: str) -> dict:
    row = {"id": message_id, "timestamp": _at(at), "received_at": _at(at), **ids}
    if consent is not None:
        row.update({f"context_consent_category_preferences_{c}": consent for c in CATEGORIES})
    return row


def _record(record_id: str, email: str, category: str, granted: str, at: datetime) -> dict:
    return {
        "record_id": record_id,
        "id_type": "email",
        "id_value": email,
        "category": category,
        "granted": granted,
        "recorded_at": _at(at),
    }


DAY_1_IDENTIFIES = [
    # Known: grants everything an hour before day 1 ends.
    _identify(
        "ci-a",
        DAY_1 - timedelta(hours=1),
        "true",
        anonymous_id="ci-anon-a",
        user_id="ci-user-a",
        email="known@gmail.com",
    ),
    # Anonymous visitor who says no, later than the grant; logs in as ci-user-a on day 2.
    _identify("ci-b", DAY_1 - timedelta(minutes=30), "false", anonymous_id="ci-anon-b"),
    # Asks to be deleted on day 2.
    _identify(
        "ci-c",
        DAY_1 - timedelta(hours=2),
        "true",
        anonymous_id="ci-anon-c",
        user_id="ci-user-c",
        email="leaving@gmail.com",
        phone="+14155550301",
    ),
    # Grants everything; a CMP record denying email marketing is in day 1's export only.
    _identify(
        "ci-e",
        DAY_1 - timedelta(hours=3),
        "true",
        anonymous_id="ci-anon-e",
        user_id="ci-user-e",
        email="stays@gmail.com",
    ),
]
DAY_2_IDENTIFIES = [
    _identify("ci-b-login", DAY_2 - timedelta(hours=3), anonymous_id="ci-anon-b", user_id="ci-user-a"),
    # First seen on day 2: the CMP record about this address applies from now on.
    _identify(
        "ci-d",
        DAY_2 - timedelta(hours=2),
        anonymous_id="ci-anon-d",
        user_id="ci-user-d",
        email="late@gmail.com",
    ),
]
DAY_1_RECORDS = [
    _record("ci-r1", "leaving@gmail.com", "sms_marketing", "no", DAY_1 - timedelta(hours=1)),
    _record("ci-r2", "late@gmail.com", "email_marketing", "yes", DAY_1 - timedelta(hours=5)),
]
# The CMP withdrew it: gone from the next export, it must stop counting.
WITHDRAWN_RECORD = _record("ci-r4", "stays@gmail.com", "email_marketing", "no", DAY_1 - timedelta(hours=2))
# In both exports unchanged: kept as written on day 1.
KEPT_RECORD = _record("ci-r5", "stays@gmail.com", "advertising", "yes", DAY_1 - timedelta(hours=2))
# The same record id with another answer on day 2.
ALTERED_RECORD = _record("ci-r6", "known@gmail.com", "advertising", "yes", DAY_1 - timedelta(hours=4))
ALTERED_RECORD_DAY_2 = {**ALTERED_RECORD, "granted": "no", "recorded_at": _at(DAY_2 - timedelta(minutes=30))}
DAY_2_RECORDS = [_record("ci-r3", "known@gmail.com", "sms_marketing", "yes", DAY_2 - timedelta(hours=1))]
DELETION = [
    {
        "request_id": "ci-delete",
        "id_type": "email",
        "id_value": "leaving@gmail.com",
        "request_type": "delete",
        "requested_at": _at(DAY_2 - timedelta(hours=4)),
    }
]


def _day_2_tables() -> dict[str, list[dict]]:
    return {
        "identifies": DAY_1_IDENTIFIES + DAY_2_IDENTIFIES,
        "consent_records": [*DAY_1_RECORDS, *DAY_2_RECORDS, KEPT_RECORD, ALTERED_RECORD_DAY_2],
        "privacy_requests": DELETION,
    }


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("governance_incremental")
    built = {"rebuilt": root / "rebuilt.duckdb"}
    for name, limit in (("incremental", None), ("incremental_by_query", 0)):
        built[name] = root / f"{name}.duckdb"
        day_1_records = [*DAY_1_RECORDS, WITHDRAWN_RECORD, KEPT_RECORD, ALTERED_RECORD]
        day_1 = {"identifies": DAY_1_IDENTIFIES, "consent_records": day_1_records}
        write_raw_tables(built[name], day_1)
        run_dbt(built[name], "build", *CONSENT, "--vars", _as_of(DAY_1, limit))
        write_raw_tables(built[name], _day_2_tables())
        run_dbt(built[name], "build", *CONSENT, "--vars", _as_of(DAY_2, limit))
    write_raw_tables(built["rebuilt"], _day_2_tables())
    run_dbt(built["rebuilt"], "build", "--full-refresh", *CONSENT, "--vars", _as_of(DAY_2))
    return built


def _rows(db: Path, sql: str) -> list[tuple]:
    return query(db, sql + " order by all")


def _profile_of(db: Path, user_id: str) -> str:
    sql = "select profile_id from id_graph where id_type = 'user_id' and id_value = ?"
    return query(db, sql, [user_id])[0][0]


@pytest.mark.parametrize("incremental_build", ["incremental", "incremental_by_query"])
def test_incremental_statements_equal_a_full_rebuild(warehouses, incremental_build):
    # Tombstones (category NULL) are the incremental build's own: a full build has nothing to
    # tell its readers about rows it never wrote.
    sql = f"select {STATEMENT_COLUMNS} from int_consent_statements where category is not null"
    incremental = _rows(warehouses[incremental_build], sql)
    assert incremental, "the incremental build must hold statements"
    assert incremental == _rows(warehouses["rebuilt"], sql)
    # loaded_at says which run wrote a row, so it differs between the two by design.
    for model in ("profile_consent", "contact_subscriptions"):
        sql = f"select * exclude (loaded_at) from {model}"
        assert _rows(warehouses[incremental_build], sql) == _rows(warehouses["rebuilt"], sql), model


def test_a_statement_follows_its_message_into_the_merged_profile(warehouses):
    db = warehouses["incremental"]
    known = _profile_of(db, "ci-user-a")
    owners = query(db, "select profile_id from int_consent_statements where statement_id = 'ci-b'")
    assert owners and {row[0] for row in owners} == {known}
    # The anonymous denial came after the known grant, so it wins on the merged profile.
    sql = "select is_granted from profile_consent where profile_id = ? and category = 'email_marketing'"
    granted = query(db, sql, [known])
    assert granted == [(False,)]


def test_a_record_applies_once_the_graph_knows_its_identifier(warehouses):
    db = warehouses["incremental"]
    rows = query(db, "select profile_id, is_granted from int_consent_statements where statement_id = 'ci-r2'")
    assert rows == [(_profile_of(db, "ci-user-d"), True)]


def test_a_record_gone_from_the_export_stops_counting(warehouses):
    db = warehouses["incremental"]
    profile = _profile_of(db, "ci-user-e")
    # Only its tombstone is left, naming the profile the consent models had to decide again.
    sql = "select profile_id, category, stated_at from int_consent_statements where statement_id = 'ci-r4'"
    assert query(db, sql) == [(profile, None, None)]
    sql = "select is_granted from profile_consent where profile_id = ? and category = 'email_marketing'"
    assert query(db, sql, [profile]) == [(True,)]
    sql = "select subscription_status from contact_subscriptions where contact_value = 'stays@gmail.com'"
    assert query(db, sql) == [("subscribed",)]


def test_an_unchanged_record_is_not_written_again(warehouses):
    db = warehouses["incremental"]
    sql = "select statement_id, loaded_at < (select max(loaded_at) from int_consent_statements)"
    sql += " from int_consent_statements where statement_id in ('ci-r5', 'ci-r6')"
    assert _rows(db, sql) == [("ci-r5", True), ("ci-r6", False)]


def test_the_forgotten_person_leaves_no_statement(warehouses):
    db = warehouses["incremental"]
    leaked = query(
        db,
        "select statement_id from int_consent_statements "
        "where statement_id in ('ci-c', 'ci-r1') or email = 'leaving@gmail.com' or phone = '+14155550301'",
    )
    assert leaked == []
    assert query(db, "select count(*) from int_consent_statements where profile_id is null") == [(0,)]


def test_a_table_stored_before_statement_ids_is_rebuilt(warehouses, tmp_path):
    db = tmp_path / "upgraded.duckdb"
    db.write_bytes(warehouses["incremental"].read_bytes())
    with duckdb.connect(str(db)) as con:  # the columns the table had before it was incremental
        con.execute(
            "create or replace table int_consent_statements as select profile_id, category, is_granted,"
            " stated_at, statement_source, email, phone from int_consent_statements"
        )
    run_dbt(db, "build", *CONSENT, "--vars", _as_of(DAY_2))
    sql = f"select {STATEMENT_COLUMNS} from int_consent_statements"
    assert _rows(db, sql) == _rows(warehouses["rebuilt"], sql)
