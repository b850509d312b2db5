"""The privacy sweep: build a warehouse, sync it, apply messy delete requests (by email, by phone,
by user id) on an incremental build, sync, purge, build and sync again, then search every column of
every table in every schema for each deleted value — as written, normalized, and as the Meta and
Google hashes. Nothing may be found, and the channels must have been told to remove the people.

The family laptop: two people share a cookie that the graph keeps with the one who logged in
first; deleting the other must not hand their identify rows (and their email) to the first."""

import hashlib
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from reverse_etl import config, ledger, runner
from reverse_etl.delivery import RetryPolicy
from reverse_etl.destinations import TYPES
from tests.support.channels import TEST_SECRET, webhook_channel
from tests.support.warehouse import query, run_dbt, write_raw_tables

T = datetime(2026, 3, 10, 12, 0, 0)


def _at(moment: datetime) -> str:
    return moment.isoformat() + "Z"


def _as_of(moment: datetime) -> str:
    return f'{{upstream__as_of: "{moment:%Y-%m-%d %H:%M:%S}"}}'


# Deleted people: every value that must vanish, as the raw data carried it.
DELETED = {
    "by_email": {
        "anonymous_id": "sweep-anon-e",
        "user_id": "sweep-user-e",
        "email": "Delia.Gone@Mailbox.org",
        "phone": "+1 (415) 555-0301",
        "first_name": "Deliaxq",
    },
    "by_phone": {
        "anonymous_id": "sweep-anon-p",
        "user_id": "sweep-user-p",
        "email": "phoebe.gone@mailbox.org",
        "phone": "415.555.0302",
        "first_name": "Phoebexq",
    },
    "by_user": {
        "anonymous_id": "sweep-anon-u",
        "user_id": "sweep-user-u",
        "email": "ursula.gone@mailbox.org",
        "phone": None,
        "first_name": "Ursulaxq",
    },
    # Their email never entered the graph (a reserved domain), so a request by user id cannot
    # reach it through the profile: it must still go, with the rows that carried it.
    "excluded_email": {
        "anonymous_id": "sweep-anon-x",
        "user_id": "sweep-user-x",
        "email": "xavier.gone@example.com",
        "phone": None,
        "first_name": "Xavierxq",
    },
    "family_deleted": {
        "anonymous_id": "sweep-laptop",  # shared: stays with the keeper, not a deleted value
        "user_id": "sweep-user-f",
        "email": "fay.gone@mailbox.org",
        "phone": None,
        "first_name": "Fayxq",
    },
}
KEPT = {
    "keeper": {
        "anonymous_id": "sweep-laptop",
        "user_id": "sweep-user-k",
        "email": "keeper@mailbox.org",
        "phone": "+14155550399",
        "first_name": "Kim",
    },
    "bystander": {
        "anonymous_id": "sweep-anon-b",
        "user_id": "sweep-user-b",
        "email": "bystander@mailbox.org",
        "phone": None,
        "first_name": "Bea",
    },
}
REQUESTS = [
    ("del-email", "email", "\tmailto:DELIA.GONE@mailbox.ORG \n"),
    ("del-phone", "phone", " +1 415-555-0302 "),
    ("del-user", "user_id", " sweep-user-u\t"),
    ("del-family", "user_id", "sweep-user-f"),
    ("del-excluded", "user_id", "sweep-user-x\n"),
]


def _identify(message_id: str | None, person: dict, at: datetime, **extra: object) -> dict:
    return {
        "id": message_id,
        "anonymous_id": person["anonymous_id"],
        "user_id": person["user_id"],
        "email": person["email"],
        "phone": person["phone"],
        "first_name": person["first_name"],
        "timestamp": _at(at),
        "received_at": _at(at),
        **extra,
    }


def _raw_tables() -> dict[str, list[dict]]:
    identifies, tracks, orders = [], [], []
    minute = 0
    for name, person in {**KEPT, **DELETED}.items():
        minute += 10  # the keeper logs in on the laptop before the family member
        identifies.append(_identify(f"sweep-id-{name}", person, T - timedelta(days=3, minutes=-minute)))
        tracks.append(
            {
                "id": f"sweep-track-{name}",
                "anonymous_id": person["anonymous_id"],
                "context_traits_email": person["email"],  # the email only in context traits
                "event": "Product Viewed",
                "timestamp": _at(T - timedelta(days=2, minutes=-minute)),
                "received_at": _at(T - timedelta(days=2, minutes=-minute)),
            }
        )
        orders.append(
            {
                "id": f"sweep-order-{name}",
                "anonymous_id": person["anonymous_id"],
                "user_id": person["user_id"],
                "order_id": f"sweep-o-{name}",
                "revenue": "120.5",
                "timestamp": _at(T - timedelta(days=1, minutes=-minute)),
                "received_at": _at(T - timedelta(days=1, minutes=-minute)),
            }
        )
    # A row with no message id is quarantined, yet holds the person's identifiers.
    identifies.append(_identify(None, DELETED["by_email"], T - timedelta(days=1)))
    return {
        "identifies": identifies,
        "tracks": tracks,
        "order_completed": orders,
        "privacy_requests": [
            {
                "request_id": "earlier-suppress",
                "id_type": "email",
                "id_value": "delia.gone@mailbox.org",
                "request_type": "suppress",
                "requested_at": _at(T - timedelta(days=2)),
            }
        ],
    }


def _forms(value: str, kind: str) -> set[str]:
    """The value as written, normalized, and hashed as Meta and Google receive it."""
    forms = {value.lower()}
    if kind == "email":
        forms.add(hashlib.sha256(value.lower().encode()).hexdigest())
    if kind == "phone":
        digits = "".join(ch for ch in value if ch.isdigit())
        e164 = "+" + (digits if len(digits) > 10 else "1" + digits)
        forms |= {
            e164,
            hashlib.sha256(e164[1:].encode()).hexdigest(),
            hashlib.sha256(e164.encode()).hexdigest(),
        }
    return forms


def _searched_values() -> set[str]:
    values: set[str] = set()
    for person in DELETED.values():
        for kind, value in person.items():
            if value and not (kind == "anonymous_id" and value == KEPT["keeper"]["anonymous_id"]):
                values |= _forms(value, kind)
    return values


def _sync(con: duckdb.DuckDBPyConnection, url: str, name: str, mode: str) -> runner.RunSummary:
    raw = {
        "name": name,
        "source": "main.profiles",
        "key": "profile_id",
        "mode": mode,
        "destination": {"type": "webhook", "url": url, "secret_env": "UPSTREAM_TEST_SWEEP_SECRET"},
    }
    sync = config.parse({"syncs": [raw]}, TYPES)[name]
    destination = TYPES["webhook"](name, sync.destination, TEST_SECRET)
    destination.client.retry = RetryPolicy(attempts=3, base_s=0.01, cap_s=0.02)
    return runner.SyncRun(con, sync, destination).execute(force=True)


def _sync_all(db: Path, url: str) -> None:
    with ledger.connect(str(db)) as con:
        for name, mode in (("sweep_mirror", "mirror"), ("sweep_upsert", "upsert")):
            assert _sync(con, url, name, mode).status == "completed"


def _hits(db: Path, values: set[str]) -> list[str]:
    """schema.table.column: value, for every stored text that contains a searched value."""
    found = []
    with duckdb.connect(str(db), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = current_database()"
        ).fetchall()
        for schema, table in tables:
            relation = f'"{schema}"."{table}"'
            cursor = con.execute(f"select * from {relation}")
            columns = [d[0] for d in cursor.description]
            for row in cursor.fetchall():
                for column, cell in zip(columns, row, strict=True):
                    text = str(cell).lower()
                    found += [f"{schema}.{table}.{column}: {v}" for v in values if v in text]
    return sorted(set(found))


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("sweep") / "upstream.duckdb"
    write_raw_tables(db, _raw_tables())
    with webhook_channel() as (channel, url):
        run_dbt(db, "build", "--vars", _as_of(T))
        _sync_all(db, url)
        held_before = {name: dict(members) for name, members in channel.held.items()}
        with duckdb.connect(str(db)) as con:
            con.executemany(
                "insert into raw.privacy_requests values (?, ?, ?, 'delete', ?)",
                [(rid, kind, value, _at(T + timedelta(minutes=5))) for rid, kind, value in REQUESTS],
            )
        later = T + timedelta(hours=1)
        run_dbt(db, "build", "--vars", _as_of(later))  # incremental: the normal case
        after_deletion = query(db, "select profile_id, email from profiles")
        _sync_all(db, url)
        run_dbt(db, "run-operation", "purge_forgotten_raw_rows")
        run_dbt(db, "build", "--vars", _as_of(later + timedelta(hours=1)))
        _sync_all(db, url)
        held_after = {name: dict(members) for name, members in channel.held.items()}
    return db, held_before, held_after, after_deletion


def test_no_deleted_value_is_left_in_any_table(swept) -> None:
    db, *_ = swept
    assert _hits(db, _searched_values()) == []


def test_the_ledger_keeps_no_row_of_a_deleted_profile(swept) -> None:
    db, *_ = swept
    forgotten = "(select profile_id from privacy_forgotten_identifiers)"
    for table in ("sync_state", "sync_pending", "sync_changelog"):
        rows = query(db, f"select count(*) from {ledger.SCHEMA}.{table} where record_key in {forgotten}")
        assert rows == [(0,)], table
    assert query(db, "select count(distinct profile_id) from privacy_forgotten_identifiers") == [(5,)]


def test_the_kept_people_are_still_there(swept) -> None:
    db, *_ = swept
    emails = {row[0] for row in query(db, "select email from profiles")}
    assert {"keeper@mailbox.org", "bystander@mailbox.org"} <= emails


def test_the_family_laptop_does_not_hand_the_deleted_persons_email_to_the_keeper(swept) -> None:
    _, _, _, after_deletion = swept
    emails = {email for _, email in after_deletion}
    assert "fay.gone@mailbox.org" not in emails  # in the build that applied the request
    assert "keeper@mailbox.org" in emails


def test_channels_were_told_to_remove_the_deleted_people(swept) -> None:
    _, held_before, held_after, _ = swept
    for name in ("sweep_mirror", "sweep_upsert"):
        emails_before = {fields.get("email") for fields in held_before[name].values()}
        assert "ursula.gone@mailbox.org" in emails_before
        emails_after = {fields.get("email") for fields in held_after[name].values()}
        assert emails_after == {"keeper@mailbox.org", "bystander@mailbox.org"}
