"""Reverse ETL to a real webhook channel on 127.0.0.1: deltas, partial failures, throttling,
outages, dropped connections, oversize batches, the ledger, the lease and the safety rails."""

import os
import re

import pytest

from reverse_etl import config, ledger, plan, runner
from reverse_etl.delivery import FatalError
from reverse_etl.destinations import TYPES
from tests.support.channels import webhook_channel
from tests.support.sync_fixtures import desired as _desired
from tests.support.sync_fixtures import held as _held
from tests.support.sync_fixtures import run_sync as _run
from tests.support.sync_fixtures import webhook_sync as _sync

SCHEMA = ledger.SCHEMA


def test_adds_then_nothing_then_every_kind_of_change(con) -> None:
    with webhook_channel() as (channel, url):
        sync = _sync(url)
        first = _run(con, sync)
        assert (first.planned_adds, first.confirmed, first.status) == (30, 30, "completed")
        assert _held(channel) == _desired(con)
        assert _run(con, sync).sent == 0
        con.execute("update main.audience set score = score + 100 where profile_id in ('p001', 'p002')")
        con.execute("delete from main.audience where profile_id in ('p003', 'p004', 'p005')")
        con.execute("insert into main.audience values ('p900', 'new@shop.io', 900)")
        changed = _run(con, sync)
        assert (changed.planned_adds, changed.planned_updates, changed.planned_removes) == (1, 2, 3)
        assert _held(channel) == _desired(con)
        last_batch_ops = [op for batch in channel.batches[-1:] for op, _ in batch]
        assert last_batch_ops[:3] == ["remove"] * 3  # removes go before adds and updates
        assert sorted(last_batch_ops[3:]) == ["add", "update", "update"]
    changelog = con.execute(
        f"select op, outcome, count(*) from {SCHEMA}.sync_changelog group by all"
    ).fetchall()
    assert ("remove", "confirmed", 3) in changelog


def test_rows_the_channel_rejects_are_kept_retried_and_bounded(con) -> None:
    with webhook_channel() as (channel, url):
        sync = _sync(url, max_attempts=2)
        channel.reject_keys = {"p007": "email bounced"}
        summary = _run(con, sync)
        assert (summary.status, summary.confirmed, summary.rejected) == ("completed", 29, 1)
        assert summary.rejections == {"p007": "email bounced"}
        row = con.execute(f"select status, attempts, rejected_reason from {SCHEMA}.sync_pending").fetchall()
        assert row == [("rejected", 1, "email bounced")]
        again = _run(con, sync)
        assert again.sent == 1
        assert con.execute(f"select status, attempts from {SCHEMA}.sync_pending").fetchall() == [("dead", 2)]
        assert _run(con, sync).sent == 0  # dead rows are reported, not retried
        con.execute("update main.audience set score = 7007 where profile_id = 'p007'")
        channel.reject_keys = {}
        assert _run(con, sync).confirmed == 1  # a changed row gets another chance
        assert _held(channel) == _desired(con)


def test_throttling_outages_and_dropped_connections_are_retried(con) -> None:
    with webhook_channel() as (channel, url):
        sync = _sync(url)
        channel.throttle_next, channel.fail_next, channel.drop_next = 2, 1, 1
        summary = _run(con, sync)
        assert summary.status == "completed" and summary.retried >= 3
        assert _held(channel) == _desired(con)
        repeated = [mid for mid in set(channel.seen_ids) if channel.seen_ids.count(mid) > 1]
        assert repeated, "a retried batch must reuse its webhook-id"


def test_a_channel_that_answers_too_late_is_retried_next_run(con) -> None:
    with webhook_channel() as (channel, url):
        sync = _sync(url, timeout_s=0.2)
        channel.delay_s = 0.6
        first = _run(con, sync)
        assert (first.confirmed, first.sent, first.unanswered, first.status) == (0, 0, 30, "incomplete")
        errors = con.execute(f"select distinct last_error from {SCHEMA}.sync_pending order by 1").fetchall()
        # the first batch timed out; the run sent nothing more to a channel that did not answer
        assert errors == [("no answer: ReadTimeout",), ("not sent: no answer: ReadTimeout",)]
        channel.delay_s = 0
        assert _run(con, sync).confirmed == 30
        assert _held(channel) == _desired(con)


def test_a_batch_over_the_channels_limit_is_split(con) -> None:
    with webhook_channel(max_batch=4) as (channel, url):
        summary = _run(con, _sync(url, batch_size=10))
        assert summary.confirmed == 30 and summary.rejected == 0
        assert max(len(batch) for batch in channel.batches) <= 4


def test_no_answer_leaves_rows_pending_for_the_next_run(con) -> None:
    with webhook_channel() as (channel, url):
        sync = _sync(url)
        channel.fail_next = 100
        summary = _run(con, sync)
        assert summary.confirmed == 0
        assert con.execute(f"select count(*) from {SCHEMA}.sync_state").fetchone()[0] == 0
        pending = con.execute(f"select count(*), max(attempts) from {SCHEMA}.sync_pending").fetchone()
        assert pending == (30, 0)  # no verdict is not an attempt
        assert (summary.status, summary.sent, summary.unanswered) == ("incomplete", 0, 30)
        channel.fail_next = 0
        assert _run(con, sync).confirmed == 30
        assert _held(channel) == _desired(con)


def test_a_wrong_secret_stops_the_run(con) -> None:
    with webhook_channel() as (_, url), pytest.raises(FatalError):
        _run(con, _sync(url), secret="whsec_" + "d3Jvbmcgc2VjcmV0IGtleQ==")
    assert con.execute(f"select status from {SCHEMA}.sync_runs").fetchall() == [("failed",)]
    assert con.execute(f"select count(*) from {SCHEMA}.sync_state").fetchone()[0] == 0


def test_bad_keys_stop_the_sync_before_anything_is_sent(con) -> None:
    with webhook_channel() as (channel, url):
        con.execute("insert into main.audience values ('p001', 'twin@shop.io', 1)")
        with pytest.raises(plan.PlanError, match=re.escape("profile_id is not unique in main.audience")):
            _run(con, _sync(url))
        con.execute("delete from main.audience where email = 'twin@shop.io'")
        con.execute("insert into main.audience values (null, 'nokey@shop.io', 1)")
        with pytest.raises(plan.PlanError, match=re.escape("1 rows of main.audience have a NULL profile_id")):
            _run(con, _sync(url))
        assert channel.requests == 0


def test_mass_removal_needs_force(con) -> None:
    with webhook_channel() as (channel, url):
        sync = _sync(url)
        _run(con, sync)
        con.execute("delete from main.audience where score >= 5")
        with pytest.raises(runner.RunRefusedError, match="removes 25 of 30"):
            _run(con, sync)
        assert len(_held(channel)) == 30
        assert _run(con, sync, force=True).confirmed == 25
        assert _held(channel) == _desired(con)


def test_full_resync_resends_what_the_channel_should_hold(con) -> None:
    with webhook_channel() as (channel, url):
        sync = _sync(url)
        _run(con, sync)
        channel.held["audience_hook"].clear()  # the channel lost its data
        assert _run(con, sync).sent == 0
        assert _run(con, sync, full_resync=True).confirmed == 30
        assert _held(channel) == _desired(con)


def test_a_second_run_is_refused_while_one_holds_the_lease(con) -> None:
    with webhook_channel() as (_, url):
        holder = f"{os.uname().nodename}:{os.getppid()}"
        con.execute(
            f"insert into {SCHEMA}.sync_leases values ('audience_hook', 'other-run', ?, now(), now())",
            [holder],
        )
        with pytest.raises(runner.RunRefusedError, match="already running"):
            _run(con, _sync(url))
        con.execute(f"update {SCHEMA}.sync_leases set holder = ?", [f"{os.uname().nodename}:999999999"])
        assert _run(con, _sync(url)).confirmed == 30  # a dead holder's lease is taken over


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"mode": "replace"}, "sync audience_hook: field 'mode' must be one of mirror, upsert, insert"),
        (
            {"source": "drop table x"},
            "sync audience_hook: field 'source' must be a model name or schema.table",
        ),
        ({"destination": {"type": "fax"}}, "sync audience_hook: field 'destination.type' must be one of"),
        (
            {"destination": {"type": "webhook", "batch_size": 0}},
            "field 'destination.batch_size' must be a number >= 1",
        ),
        (
            {"destination": {"type": "webhook", "secret_env": "my secret"}},
            "destination.secret_env' must name",
        ),
        ({"key": None}, "sync audience_hook: field 'key' is required"),
    ],
)
def test_sync_file_errors_name_the_sync_and_the_field(change: dict, message: str) -> None:
    raw = {
        "name": "audience_hook",
        "source": "main.audience",
        "key": "profile_id",
        "destination": {"type": "webhook"},
    }
    raw.update(change)
    with pytest.raises(config.ConfigError, match=re.escape(message)):
        config.parse({"syncs": [raw]}, TYPES)


def test_each_operation_gets_its_own_webhook_id(con) -> None:
    """add -> remove -> add of one row are three operations: a receiver that drops repeated
    webhook-ids (as Standard Webhooks advises) must still apply the re-add."""
    with webhook_channel() as (channel, url):
        sync = _sync(url)
        con.execute("delete from main.audience where profile_id <> 'p001'")
        ids = []
        for change in (
            None,
            "delete from main.audience",
            "insert into main.audience values ('p001', 'user1@shop.io', 1)",
        ):
            if change:
                con.execute(change)
            _run(con, sync, force=True)
            ids.append(channel.seen_ids[-1])
        assert len(set(ids)) == 3
        assert channel.batches[-3:] == [[("add", "p001")], [("remove", "p001")], [("add", "p001")]]
        assert _held(channel) == {"p001": 1}


def test_an_unanswered_operation_keeps_its_webhook_id_across_runs(con) -> None:
    with webhook_channel() as (channel, url):
        sync = _sync(url, batch_size=1000)
        channel.fail_next = 6  # every attempt of the first run
        _run(con, sync)
        first = set(channel.seen_ids)
        assert _run(con, sync).confirmed == 30
        assert set(channel.seen_ids) == first  # the second run resent the same operations
