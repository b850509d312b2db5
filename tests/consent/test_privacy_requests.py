"""Privacy requests and consent on hand-made people, through real dbt builds: deletion by email
and by user id forgets the whole profile (and stays forgotten through new data and a full
refresh), suppression blocks every destination, unsuppress restores, the latest consent
statement wins across Segment events and a CMP export, and the raw purge leaves no trace."""

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.support.warehouse import query, run_dbt, write_raw_tables

T = datetime(2026, 3, 10, 12, 0, 0)
AS_OF = f'{{upstream__as_of: "{T:%Y-%m-%d %H:%M:%S}"}}'
CATEGORIES = ("email_marketing", "sms_marketing", "advertising", "personalization")

# name -> identify calls (anonymous id, user id, email, phone)
PEOPLE = {
    "deleted_by_email": [
        ("gv-a1", "gv-u1", "gone.email@gmail.com", "+14155550201"),
        ("gv-a1b", "gv-u1", None, None),
    ],
    "deleted_by_user": [("gv-a2", "gv-u2", "gone.user@gmail.com", None)],
    "restored": [("gv-a3", "gv-u3", "back@gmail.com", None)],
    "suppressed": [("gv-a4", "gv-u4", "quiet@gmail.com", None)],
    "kept": [("gv-a5", "gv-u5", "stay@gmail.com", "+14155550205")],
    "cmp_denies": [("gv-a6", "gv-u6", "cmp.no@gmail.com", None)],
    "cmp_grants": [("gv-a7", "gv-u7", "cmp.yes@gmail.com", None)],
}
FORGOTTEN_VALUES = [
    "gv-a1",
    "gv-a1b",
    "gv-u1",
    "gone.email@gmail.com",
    "+14155550201",
    "gv-a2",
    "gv-u2",
    "gone.user@gmail.com",
]


def _at(moment: datetime) -> str:
    return moment.isoformat() + "Z"


def _identifies() -> list[dict]:
    rows = []
    for name, calls in PEOPLE.items():
        granted = "false" if name == "cmp_grants" else "true"
        for number, (anon, user, email, phone) in enumerate(calls):
            at = T - timedelta(days=2, minutes=number)
            rows.append(
                {
                    "id": f"gv-{name}-{number}",
                    "anonymous_id": anon,
                    "user_id": user,
                    "email": email,
                    "phone": phone,
                    "timestamp": _at(at),
                    "received_at": _at(at),
                    **{f"context_consent_category_preferences_{c}": granted for c in CATEGORIES},
                }
            )
    return rows


PRIVACY_REQUESTS = [
    {
        "request_id": "r1",
        "id_type": "email",
        "id_value": " Gone.Email@GMAIL.com ",
        "request_type": "delete",
        "requested_at": _at(T - timedelta(days=1)),
    },
    {
        "request_id": "r2",
        "id_type": "user_id",
        "id_value": "gv-u2",
        "request_type": "Delete",
        "requested_at": _at(T - timedelta(days=1)),
    },
    {
        "request_id": "r3",
        "id_type": "email",
        "id_value": "back@gmail.com",
        "request_type": "suppress",
        "requested_at": _at(T - timedelta(hours=20)),
    },
    {
        "request_id": "r4",
        "id_type": "email",
        "id_value": "BACK@gmail.com",
        "request_type": "unsuppress",
        "requested_at": _at(T - timedelta(hours=19)),
    },
    {
        "request_id": "r5",
        "id_type": "user_id",
        "id_value": "gv-u4",
        "request_type": "suppress",
        "requested_at": _at(T - timedelta(hours=20)),
    },
    {
        "request_id": "r6",
        "id_type": "email",
        "id_value": "stay@gmail.com",
        "request_type": "erase",
        "requested_at": _at(T - timedelta(hours=20)),
    },
]
CONSENT_RECORDS = [
    {
        "record_id": "c1",
        "id_type": "email",
        "id_value": "  CMP.No@Gmail.com",
        "category": "email_marketing",
        "granted": "no",
        "recorded_at": _at(T - timedelta(days=1)),
    },
    {
        "record_id": "c2",
        "id_type": "email",
        "id_value": "cmp.yes@gmail.com",
        "category": "email_marketing",
        "granted": "opt_in",
        "recorded_at": _at(T - timedelta(days=1)),
    },
]


def _profile_of(db: Path, id_type: str, id_value: str) -> str:
    rows = query(
        db, "select profile_id from id_graph where id_type = ? and id_value = ?", [id_type, id_value]
    )
    assert rows, f"{id_type}:{id_value} is not in id_graph"
    return rows[0][0]


def _in_graph(db: Path, values: list[str]) -> list[str]:
    placeholders = ", ".join("?" for _ in values)
    return [
        row[0]
        for row in query(db, f"select id_value from id_graph where id_value in ({placeholders})", values)
    ]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("governance") / "upstream.duckdb"
    write_raw_tables(
        db,
        {
            "identifies": _identifies(),
            "privacy_requests": PRIVACY_REQUESTS,
            "consent_records": CONSENT_RECORDS,
        },
    )
    run_dbt(db, "build", "--vars", AS_OF)
    return db


def test_deletion_by_email_and_by_user_id_forgets_every_identifier(built: Path) -> None:
    assert _in_graph(built, FORGOTTEN_VALUES) == []
    emails = {row[0] for row in query(built, "select email from profiles where email is not null")}
    assert not emails & {"gone.email@gmail.com", "gone.user@gmail.com"}
    assert "stay@gmail.com" in emails
    (rows, requests, profiles) = query(
        built,
        "select count(*), count(distinct request_id), count(distinct profile_id) "
        "from privacy_forgotten_identifiers",
    )[0]
    assert (rows, requests, profiles) == (len(FORGOTTEN_VALUES), 2, 2)


def test_forgotten_identifiers_are_kept_as_hashes_only(built: Path) -> None:
    stored = " ".join(
        str(value) for row in query(built, "select * from privacy_forgotten_identifiers") for value in row
    )
    assert not any(value.lower() in stored.lower() for value in FORGOTTEN_VALUES)


def test_deleted_profiles_leave_no_history(built: Path) -> None:
    forgotten = "(select profile_id from privacy_forgotten_identifiers)"
    for table in [
        "profiles",
        "segment_membership",
        "segment_event_log",
        "profile_changes",
        "activation_eligibility",
    ]:
        assert query(built, f"select count(*) from {table} where profile_id in {forgotten}")[0][0] == 0, table


def test_suppression_blocks_every_destination_and_unsuppress_restores(built: Path) -> None:
    quiet = _profile_of(built, "email", "quiet@gmail.com")
    back = _profile_of(built, "email", "back@gmail.com")
    reasons = dict(
        query(
            built,
            "select profile_id, string_agg(distinct coalesce(blocked_reason, 'ok'), ',') "
            "from activation_eligibility group by 1",
        )
    )
    assert reasons[quiet] == "suppressed"
    assert "suppressed" not in reasons[back]
    sync_models = [
        row[0]
        for row in query(
            built, "select table_name from information_schema.tables where table_name like 'sync_%'"
        )
    ]
    for model in sync_models:
        assert query(built, f"select count(*) from {model} where profile_id = ?", [quiet])[0][0] == 0, model


def test_latest_consent_statement_wins_across_events_and_cmp(built: Path) -> None:
    consent = {
        (email, category): (granted, source)
        for email, category, granted, source in query(
            built,
            "select p.email, c.category, c.is_granted, c.statement_source from profile_consent as c "
            "join profiles as p using (profile_id) where p.email like 'cmp.%'",
        )
    }
    assert consent[("cmp.no@gmail.com", "email_marketing")] == (False, "consent_records")
    assert consent[("cmp.no@gmail.com", "advertising")] == (True, "segment_event")
    assert consent[("cmp.yes@gmail.com", "email_marketing")] == (True, "consent_records")
    assert consent[("cmp.yes@gmail.com", "advertising")] == (False, "segment_event")


def test_bad_requests_are_quarantined(built: Path) -> None:
    rows = query(
        built, "select message_id, reason from rejected_events where source_table = 'privacy_requests'"
    )
    assert rows == [("r6", "unknown_request_type")]


def test_forgotten_stays_forgotten_through_new_data_and_full_refresh(built: Path, tmp_path: Path) -> None:
    db = tmp_path / "upstream.duckdb"
    db.write_bytes(built.read_bytes())
    returning = {
        "id": "gv-return",
        "anonymous_id": "gv-a1",
        "email": "new.me@gmail.com",
        "timestamp": _at(T + timedelta(hours=1)),
        "received_at": _at(T + timedelta(hours=1)),
    }
    write_raw_tables(
        db,
        {
            "identifies": [*_identifies(), returning],
            "privacy_requests": PRIVACY_REQUESTS,
            "consent_records": CONSENT_RECORDS,
        },
    )
    later = f'{{upstream__as_of: "{T + timedelta(days=1):%Y-%m-%d %H:%M:%S}"}}'
    run_dbt(db, "build", "--vars", later)
    assert _in_graph(db, FORGOTTEN_VALUES) == []
    assert _in_graph(db, ["new.me@gmail.com"]) == ["new.me@gmail.com"]
    run_dbt(db, "build", "--full-refresh", "--vars", later)
    assert _in_graph(db, FORGOTTEN_VALUES) == []
    assert query(db, "select count(*) from privacy_forgotten_identifiers")[0][0] == len(FORGOTTEN_VALUES)


def test_purge_removes_the_raw_rows(built: Path, tmp_path: Path) -> None:
    db = tmp_path / "upstream.duckdb"
    db.write_bytes(built.read_bytes())
    run_dbt(db, "run-operation", "purge_forgotten_raw_rows")
    ids = [row[0] for row in query(db, "select id from raw.identifies where id like 'gv-deleted%'")]
    assert ids == []
    assert query(db, "select count(*) from raw.identifies")[0][0] == len(_identifies()) - 3
    erased = query(
        db,
        "select request_id, id_value from raw.privacy_requests where request_id in ('r1', 'r2') order by 1",
    )
    assert erased == [("r1", "[erased]"), ("r2", "[erased]")]
    run_dbt(db, "build", "--vars", AS_OF)
    assert _in_graph(db, FORGOTTEN_VALUES) == []
