"""The cart-abandonment journey replayed through a timeline of runs: every step goes out once,
orders end the journey, a new checkout supersedes the old one, frequency caps hold — and a
different run cadence sends the same messages."""

import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.support.warehouse import query, run_dbt, write_raw_tables

T0 = datetime(2026, 3, 10, 10, 0, 0)
# Holdout off here so every person's path is known; the holdout has its own unit test.
JOURNEY_VARS = (
    "upstream__cart_abandonment: {email_after_minutes: 30, sms_after_minutes: 120, ad_after_minutes: 1440, "
    "ad_audience_days: 7, send_window_minutes: {email: 360, sms: 120}, "
    "frequency_cap_hours: {email: 24, sms: 24}, holdout_share: 0}"
)
CADENCE_A = [10, 30, 40, 60, 120, 210, 300, 1440, 1620]  # minutes after T0
CADENCE_B = [35, 125, 215, 305]

ACTIVATION = [
    "sync_email__cart_abandonment_step1",
    "sync_sms__cart_abandonment_step2",
    "sync_meta_custom_audiences__cart_abandonment_step3",
]

# Segment Consent on the identify call: these people may be emailed, texted and retargeted.
CONSENT_TO_EVERYTHING = {
    f"context_consent_category_preferences_{category}": "true"
    for category in ("email_marketing", "sms_marketing", "advertising", "personalization")
}

AD_AUDIENCE_CHECKOUTS = """
select instances.checkout_key
from sync_meta_custom_audiences__cart_abandonment_step3
inner join int_cart_abandonment_instances as instances using (journey_instance_id)
"""

PEOPLE = {
    # name: (anonymous id, user id, email, phone)
    "never_buys": ("jr-a1", "jr-u1", "ada@gmail.com", "+14155550101"),
    "buys_mid_journey": ("jr-a2", "jr-u2", "ben@gmail.com", "+14155550102"),
    "checks_out_twice": ("jr-a3", "jr-u3", "cy@gmail.com", "+14155550103"),
    "buys_just_before_email": ("jr-a4", "jr-u4", "di@gmail.com", "+14155550104"),
}
# (person, checkout id, minutes after T0)
CHECKOUTS = [
    ("never_buys", "k1", 0),
    ("buys_mid_journey", "k2", 0),
    ("checks_out_twice", "k3", 0),
    ("checks_out_twice", "k3b", 180),
    ("buys_just_before_email", "k4", 0),
]
# (person, checkout id, seconds after T0)
ORDERS = [("buys_mid_journey", "k2", 45 * 60), ("buys_just_before_email", "k4", 30 * 60 - 1)]

EXPECTED_DECISIONS = {
    ("k1", "email"): "send",
    ("k1", "sms"): "send",
    ("k2", "email"): "send",
    ("k2", "sms"): "cancelled",
    ("k3", "email"): "send",
    ("k3", "sms"): "send",
    ("k3b", "email"): "capped",
    ("k3b", "sms"): "capped",
    ("k4", "email"): "cancelled",
    ("k4", "sms"): "cancelled",
}


def _at(moment: datetime) -> str:
    return moment.isoformat() + "Z"


def _raw_tables() -> dict[str, list[dict]]:
    identifies = [
        {
            "id": f"jr-identify-{name}",
            "anonymous_id": anon,
            "user_id": user,
            "email": email,
            "phone": phone,
            "first_name": name.split("_")[0].title(),
            **CONSENT_TO_EVERYTHING,
            "timestamp": _at(T0 - timedelta(hours=1)),
            "received_at": _at(T0 - timedelta(hours=1)),
        }
        for name, (anon, user, email, phone) in PEOPLE.items()
    ]
    checkouts = [
        {
            "id": f"jr-checkout-{checkout}",
            "anonymous_id": PEOPLE[person][0],
            "user_id": PEOPLE[person][1],
            "checkout_id": checkout,
            "revenue": "42.00",
            "currency": "usd",
            "products": '[{"product_id": "p1", "sku": "SKU-1", "price": 42.0, "quantity": 1}]',
            "timestamp": _at(T0 + timedelta(minutes=minutes)),
            "received_at": _at(T0 + timedelta(minutes=minutes)),
        }
        for person, checkout, minutes in CHECKOUTS
    ]
    orders = [
        {
            "id": f"jr-order-{checkout}",
            "anonymous_id": PEOPLE[person][0],
            "user_id": PEOPLE[person][1],
            "order_id": f"order-{checkout}",
            "checkout_id": checkout,
            "revenue": "42.00",
            "timestamp": _at(T0 + timedelta(seconds=seconds)),
            "received_at": _at(T0 + timedelta(seconds=seconds)),
        }
        for person, checkout, seconds in ORDERS
    ]
    return {"identifies": identifies, "checkout_started": checkouts, "order_completed": orders}


def _vars(minutes: int) -> str:
    as_of = (T0 + timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M:%S")
    return "{" + f'upstream__as_of: "{as_of}", {JOURNEY_VARS}' + "}"


def _replay(db: Path, cadence: list[int]) -> list[dict]:
    """Run the journey and its activation at each instant; what each activation model held."""
    held = []
    for minutes in cadence:
        run_dbt(db, "run", "--select", "models/journeys", *ACTIVATION, "--vars", _vars(minutes))
        held.append(
            {
                "minutes": minutes,
                "email": {
                    row[0] for row in query(db, "select checkout_id from sync_email__cart_abandonment_step1")
                },
                "sms": {
                    row[0] for row in query(db, "select checkout_id from sync_sms__cart_abandonment_step2")
                },
                "ads": {row[0] for row in query(db, AD_AUDIENCE_CHECKOUTS)},
            }
        )
    return held


def _decisions(db: Path) -> dict[tuple[str, str], str]:
    rows = query(
        db,
        """
        select instances.checkout_key, decisions.step_name, decisions.decision
        from cart_abandonment_decisions as decisions
        inner join int_cart_abandonment_instances as instances using (journey_instance_id)
        """,
    )
    return {(checkout, step): decision for checkout, step, decision in rows}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Raw rows for the whole timeline, built once as of just before the first checkout."""
    db = tmp_path_factory.mktemp("journey_base") / "upstream.duckdb"
    write_raw_tables(db, _raw_tables())
    run_dbt(db, "build", "--vars", _vars(-1))
    return db


@pytest.fixture(scope="module")
def cadence_a(built: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    db = tmp_path_factory.mktemp("journey_a") / "upstream.duckdb"
    shutil.copy(built, db)
    return {"db": db, "held": _replay(db, CADENCE_A)}


def test_each_step_is_decided_once_as_expected(cadence_a: dict) -> None:
    assert _decisions(cadence_a["db"]) == EXPECTED_DECISIONS
    (rows, distinct) = query(
        cadence_a["db"],
        "select count(*), count(distinct journey_instance_id || step_name) from cart_abandonment_decisions",
    )[0]
    assert rows == distinct


def test_messages_appear_when_due_and_not_before(cadence_a: dict) -> None:
    by_minute = {run["minutes"]: run for run in cadence_a["held"]}
    assert by_minute[10]["email"] == set()
    assert by_minute[30]["email"] == {"k1", "k2", "k3"}  # k4 ordered a second before its email was due
    assert by_minute[40]["email"] == {"k1", "k2", "k3"}
    assert by_minute[60]["email"] == {"k1", "k3"}  # k2's order at 45 minutes withdraws its email
    assert by_minute[60]["sms"] == set()
    assert by_minute[120]["sms"] == {"k1", "k3"}
    assert by_minute[300]["sms"] == set()  # the 2-hour delivery window has passed; capped k3b never shows


def test_ad_audience_from_24_hours_until_an_order(cadence_a: dict) -> None:
    by_minute = {run["minutes"]: run for run in cadence_a["held"]}
    assert by_minute[300]["ads"] == set()
    assert by_minute[1440]["ads"] == {"k1"}
    assert by_minute[1620]["ads"] == {"k1", "k3b"}  # k3 was superseded by k3b, whose ad step is due at 27 h
    assert all("k2" not in run["ads"] and "k4" not in run["ads"] for run in cadence_a["held"])


def test_another_cadence_sends_the_same_messages(built: Path, cadence_a: dict, tmp_path: Path) -> None:
    db = tmp_path / "upstream.duckdb"
    shutil.copy(built, db)
    _replay(db, CADENCE_B)
    sends = {key for key, decision in _decisions(db).items() if decision == "send"}
    assert sends == {key for key, decision in EXPECTED_DECISIONS.items() if decision == "send"}


def test_a_past_as_of_decides_nothing_new(cadence_a: dict, tmp_path: Path) -> None:
    db = tmp_path / "upstream.duckdb"
    shutil.copy(cadence_a["db"], db)
    before = query(db, "select count(*) from cart_abandonment_decisions")[0][0]
    run_dbt(db, "run", "--select", "cart_abandonment_decisions", "--vars", _vars(100))
    assert query(db, "select count(*) from cart_abandonment_decisions")[0][0] == before
