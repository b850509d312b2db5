"""Twilio SMS journey sends against a Twilio-like API on 127.0.0.1: each message goes out once,
refusals are kept with Twilio's reason, and a send whose outcome is unknown is never repeated
on its own — not after a 500, not after a dropped connection, not after SIGKILL."""

import random
from pathlib import Path

import duckdb
import pytest
import yaml

from reverse_etl import config, ledger, resolve, runner
from reverse_etl.delivery import FatalError, RetryPolicy
from reverse_etl.destinations import TYPES
from tests.support.channels import twilio_channel
from tests.support.sync_cli import run_with_kills, start_cli
from tests.support.warehouse import query

TOKEN_ENV = "UPSTREAM_TEST_TWILIO_TOKEN"


def _destination(base_url: str, mode: str = "insert") -> dict:
    return {
        "name": "cart_sms",
        "source": "main.due_sms",
        "key": "step_key",
        "mode": mode,
        "destination": {
            "type": "twilio_sms",
            "base_url": base_url,
            "account_sid": "AC_test",
            "from_number": "+15005550006",
            "body_template": "Hi $first_name, your cart is waiting.",
            "secret_env": TOKEN_ENV,
            "max_attempts": 2,
            "rate_per_s": 500,  # Twilio's default (1 per second per sender) would make the tests slow
        },
    }


def _warehouse(path: Path, count: int = 12) -> duckdb.DuckDBPyConnection:
    con = ledger.connect(str(path))
    con.execute(
        "create or replace table main.due_sms as select 'j' || i || ':sms' as step_key, "
        "'+1415555' || lpad(i::varchar, 4, '0') as phone, 'Ana' || i as first_name from range(?) as t (i)",
        [count],
    )
    return con


def _run(con, base_url: str, mode: str = "insert", token: str = "twilio-test-token"):
    sync = config.parse({"syncs": [_destination(base_url, mode)]}, TYPES)["cart_sms"]
    destination = TYPES["twilio_sms"](sync.name, sync.destination, token)
    destination.client.retry = RetryPolicy(attempts=4, base_s=0.01, cap_s=0.05)
    return runner.SyncRun(con, sync, destination).execute()


def _per_number(channel) -> dict[str, int]:
    counts: dict[str, int] = {}
    for to, _ in channel.sent:
        counts[to] = counts.get(to, 0) + 1
    return counts


def test_each_message_once_and_refusals_kept(tmp_path: Path) -> None:
    con = _warehouse(tmp_path / "upstream.duckdb")
    con.execute("update main.due_sms set phone = 'call me' where step_key = 'j3:sms'")
    with twilio_channel() as (channel, url):
        channel.throttle_next = 2
        summary = _run(con, url)
        assert (summary.confirmed, summary.rejected) == (11, 1)
        assert "is not a valid phone number" in summary.rejections["j3:sms"]
        assert ("+14155550001", "Hi Ana1, your cart is waiting.") in channel.sent
        assert _run(con, url).sent == 1  # the refused one is tried again, bounded by max_attempts
        assert _run(con, url).sent == 0
        assert max(_per_number(channel).values()) == 1 and len(channel.sent) == 11


def test_the_channels_error_is_kept_with_its_code_and_without_the_number(tmp_path: Path) -> None:
    con = _warehouse(tmp_path / "upstream.duckdb", count=2)
    con.execute("update main.due_sms set phone = '+1 415 555 0199' where step_key = 'j1:sms'")
    with twilio_channel() as (_, url):
        summary = _run(con, url)
    reason = "HTTP 400: code 21211: The 'To' number <number> is not a valid phone number."
    assert summary.rejections == {"j1:sms": reason}
    stored = con.execute(
        f"select rejected_reason from {ledger.SCHEMA}.sync_pending union all "
        f"select reason from {ledger.SCHEMA}.sync_changelog where outcome = 'rejected'"
    ).fetchall()
    assert stored == [(reason,), (reason,)]


def test_refused_credentials_leave_nothing_in_flight(tmp_path: Path) -> None:
    con = _warehouse(tmp_path / "upstream.duckdb", count=3)
    with twilio_channel() as (channel, url):
        with pytest.raises(FatalError, match="refused our credentials"):
            _run(con, url, token="wrong-token")
        statuses = con.execute(f"select distinct status from {ledger.SCHEMA}.sync_pending").fetchall()
        assert statuses == [("pending",)] and channel.sent == []
        assert _run(con, url).confirmed == 3  # nothing was sent, so nothing is held back


def test_an_sms_sync_cannot_mirror(tmp_path: Path) -> None:
    con = _warehouse(tmp_path / "upstream.duckdb")
    with twilio_channel() as (_, url), pytest.raises(runner.RunRefusedError, match="supports mode insert"):
        _run(con, url, mode="mirror")


@pytest.mark.parametrize("fault", ["fail_next", "drop_after_send_next"])
def test_unknown_outcome_stays_in_flight_and_is_not_resent(tmp_path: Path, fault: str) -> None:
    con = _warehouse(tmp_path / "upstream.duckdb", count=4)
    with twilio_channel() as (channel, url):
        setattr(channel, fault, 1)
        first = _run(con, url)
        assert first.in_flight == 1 and first.confirmed == 3
        assert (first.status, first.sent, first.unanswered) == ("incomplete", 3, 1)
        second = _run(con, url)
        assert second.sent == 0 and second.in_flight == 1
        assert len(channel.sent) == 4 and max(_per_number(channel).values()) == 1
        assert resolve.resolve(con, "cart_sms", "sent") == 1
        assert con.execute(f"select count(*) from {ledger.SCHEMA}.sync_state").fetchone()[0] == 4
        assert _run(con, url).sent == 0


def test_sigkill_never_sends_an_sms_twice(tmp_path: Path) -> None:
    db = tmp_path / "upstream.duckdb"
    _warehouse(db, count=60).close()
    rng = random.Random(7)
    with twilio_channel() as (channel, url):
        channel.delay_s = 0.02
        config_path = tmp_path / "syncs.yml"
        config_path.write_text(yaml.safe_dump({"syncs": [_destination(url)]}))
        killed = run_with_kills(
            lambda: start_cli(db, config_path, "run", "cart_sms", env={TOKEN_ENV: "twilio-test-token"}),
            lambda: (
                query(db, f"select count(*) from {ledger.SCHEMA}.sync_pending where status <> 'in_flight'")
                == [(0,)]
            ),
            rng,
            kills=4,
            window=(0.5, 1.5),
        )
        assert killed >= 1
        counts = _per_number(channel)
        assert max(counts.values()) == 1, "an SMS went out twice"
        confirmed = {row[0] for row in query(db, f"select record_key from {ledger.SCHEMA}.sync_state")}
        in_flight = {row[0] for row in query(db, f"select record_key from {ledger.SCHEMA}.sync_pending")}
        desired = {row[0] for row in query(db, "select step_key from main.due_sms")}
        assert confirmed | in_flight == desired and not confirmed & in_flight
        sent_keys = {f"j{int(to[-4:])}:sms" for to in counts}
        assert confirmed <= sent_keys  # nothing is marked sent that was not sent
