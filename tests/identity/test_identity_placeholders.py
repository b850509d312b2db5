"""Placeholder emails that people type to skip a form field must not merge strangers: the default
rules catch them as a class (not value by value), and a value that arrives with many different
first names, last names or phones behind it is excluded as a shared placeholder, whatever it is."""

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.support.warehouse import query, run_dbt, write_raw_tables

T = datetime(2026, 3, 1, 12, 0, 0)
# Forms the old defaults let through; each is typed by several guests below.
PLACEHOLDERS = [
    "no@email.com",
    "na@na.com",
    "nobody@gmail.com",
    "x@x.com",
    "shop@shop.com",
    "zzz@gmail.com",
    "optout@mailbox.org",
]
# Not a listed form: caught only because different people keep arriving behind it.
SHARED = "frontdesk.cashier1@mailbox.org"
NAMES = ["Ana", "Ben", "Cleo", "Dov", "Eli", "Fay"]


def _guest(n: int, email: str, name: str) -> dict:
    at = (T + timedelta(minutes=n)).isoformat() + "Z"
    return {
        "id": f"guest-{n}",
        "anonymous_id": f"guest-cookie-{n}",
        "email": email,
        "first_name": name,
        "timestamp": at,
        "received_at": at,
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("placeholders") / "upstream.duckdb"
    people = [(email, name) for email in [*PLACEHOLDERS, SHARED] for name in NAMES[:5]]
    # A real person, one name, several devices: stays one profile.
    people += [("ana.real@mailbox.org", "Ana")] * 4
    people += [("o'brien.kate@mailbox.org", "Kate")]  # valid: an apostrophe is allowed
    rows = [_guest(n, email, name) for n, (email, name) in enumerate(people)]
    write_raw_tables(db, {"identifies": rows})
    run_dbt(db, "build", "--exclude-resource-type", "test", "unit_test")
    return db


def _reason(db: Path, email: str) -> str | None:
    rows = query(
        db,
        "select exclusion_reason from identity_excluded_identifiers where id_type = 'email' and id_value = ?",
        [email],
    )
    return rows[0][0] if rows else None


@pytest.mark.parametrize("email", PLACEHOLDERS)
def test_placeholder_forms_are_excluded_as_a_class(built: Path, email: str) -> None:
    assert _reason(built, email) in ("blocklisted", "placeholder_email")
    profiles = query(
        built,
        "select count(distinct profile_id) from id_graph where id_value like 'guest-cookie-%' "
        "and id_value in (select 'guest-cookie-' || substr(id, 7) from raw.identifies where email = ?)",
        [email],
    )
    assert profiles == [(5,)]  # five guests, five profiles


def test_a_value_with_many_names_behind_it_is_a_shared_placeholder(built: Path) -> None:
    assert _reason(built, SHARED) == "hub_first_names"
    counts = query(
        built,
        "select distinct_first_names from identity_excluded_identifiers where id_value = ?",
        [SHARED],
    )
    assert counts == [(5,)]


def test_an_email_with_an_apostrophe_is_valid(built: Path) -> None:
    assert _reason(built, "o'brien.kate@mailbox.org") is None
    linked = query(built, "select count(*) from id_graph where id_value = 'o''brien.kate@mailbox.org'")
    assert linked == [(1,)]


def test_a_real_person_with_one_name_is_kept(built: Path) -> None:
    assert _reason(built, "ana.real@mailbox.org") is None
    profiles = query(
        built, "select count(distinct profile_id) from id_graph where id_value = 'ana.real@mailbox.org'"
    )
    assert profiles == [(1,)]
