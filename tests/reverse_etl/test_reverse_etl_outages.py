"""A channel that is down, throttles, redirects or is misaddressed: rows are never stranded, never
sent where they should not go, and a run says honestly what it delivered."""

import socket
import time
from pathlib import Path

import pytest

from reverse_etl import history, ledger, resolve, runner
from reverse_etl.delivery import FatalError, HttpClient, RetryPolicy
from tests.support.channels import json_api, webhook_channel
from tests.support.sync_cli import start_cli
from tests.support.sync_fixtures import audience_warehouse, desired, held, run_sync, sms_sync, webhook_sync

SCHEMA = ledger.SCHEMA


def _statuses(con) -> dict[str, int]:
    return dict(con.execute(f"select status, count(*) from {SCHEMA}.sync_pending group by 1").fetchall())


def test_an_outage_of_any_length_then_recovery_delivers_every_row(con) -> None:
    with webhook_channel() as (channel, url):
        sync = webhook_sync(url, max_attempts=3)
        channel.fail_next = 10_000
        for _ in range(4):  # more runs than max_attempts, the channel down throughout
            down = run_sync(con, sync)
            assert (down.status, down.sent, down.confirmed, down.unanswered) == ("incomplete", 0, 0, 30)
            assert "got no verdict (HTTP 503)" in down.line()
        assert _statuses(con) == {"pending": 30}
        assert con.execute(f"select max(attempts) from {SCHEMA}.sync_pending").fetchone() == (0,)
        channel.fail_next = 0
        back = run_sync(con, sync)
        assert (back.status, back.confirmed) == ("completed", 30)
        assert held(channel) == desired(con)


def test_a_down_channel_is_not_hammered_for_the_rest_of_the_run(con) -> None:
    with webhook_channel() as (channel, url):
        channel.fail_next = 10_000
        summary = run_sync(con, webhook_sync(url))  # three batches of 10
        assert channel.requests == 6  # the first batch's attempts, then nothing more
        assert summary.unanswered == 30
        reasons = con.execute(
            f"select outcome, count(*) from {SCHEMA}.sync_changelog group by 1 order by 1"
        ).fetchall()
        assert reasons == [("not_sent", 20), ("retry_later", 10)]


def test_dead_rows_show_in_status_and_come_back_by_requeue_or_full_resync(con) -> None:
    with webhook_channel() as (channel, url):
        sync = webhook_sync(url, max_attempts=1)
        channel.reject_keys = {"p003": "mailbox full", "p004": "mailbox full"}
        run_sync(con, sync)
        assert history.status(con, ["audience_hook"]) == [("audience_hook", 28, 0, 0, 2, 0)]
        channel.reject_keys = {}
        assert run_sync(con, sync).sent == 0  # dead rows are not retried on their own
        assert resolve.requeue(con, "audience_hook", ["p003"]) == 1
        assert run_sync(con, sync).confirmed == 1
        assert run_sync(con, sync, full_resync=True).confirmed == 30  # p004 revived with the rest
        assert _statuses(con) == {} and held(channel) == desired(con)


def _throttling_api(retry_after: str, hits: list[float]):
    def answer(method, path, headers, body):
        hits.append(time.monotonic())
        return 429, {"error": "slow down"}, {"Retry-After": retry_after}

    return answer


@pytest.mark.parametrize("retry_after", ["86400", "soon", "Thu, 01 Jan 2099 00:00:00 GMT", "nan"])
def test_retry_after_is_capped_and_read_defensively(con, retry_after: str) -> None:
    hits: list[float] = []
    with json_api(_throttling_api(retry_after, hits)) as url:
        sync = webhook_sync(f"{url}/hook")
        started = time.monotonic()
        summary = run_sync(con, sync)
    assert time.monotonic() - started < 10  # never waits the day it was asked to
    assert summary.status == "incomplete" and summary.unanswered == 30
    assert _statuses(con) == {"pending": 30}
    if retry_after in ("86400", "Thu, 01 Jan 2099 00:00:00 GMT"):
        assert len(hits) == 1  # a wait beyond the cap ends the attempt at once


def test_an_sms_throttled_with_a_garbage_retry_after_is_not_left_in_flight(tmp_path: Path) -> None:
    con = ledger.connect(str(tmp_path / "upstream.duckdb"))
    hits: list[float] = []
    with json_api(_throttling_api("in a bit", hits)) as url:
        summary = sms_sync(con, url).execute()
    assert (summary.status, summary.in_flight) == ("incomplete", 0)
    assert _statuses(con) == {"pending": 1}  # 429: the channel did not take it; safe to send later


def test_no_sleep_after_the_last_attempt() -> None:
    sleeps: list[float] = []
    client = HttpClient(timeout_s=1, retry=RetryPolicy(attempts=4, base_s=0.01), sleep=sleeps.append)
    with json_api(lambda *_: (503, {}, {})) as url, pytest.raises(Exception, match="HTTP 503"):
        client.post(f"{url}/x", b"{}", {})
    assert len(sleeps) == 3


def test_redirects_are_not_followed_and_credentials_stay_home(con) -> None:
    elsewhere: list[dict] = []

    def other_host(method, path, headers, body):
        elsewhere.append(headers)
        return 200, {}, {}

    with json_api(other_host) as other:
        # "localhost" resolves to this machine too, but is another host to requests
        target = other.replace("127.0.0.1", "localhost")
        redirect = json_api(lambda *_: (307, {}, {"Location": f"{target}/hook"}))
        with redirect as url, pytest.raises(FatalError, match="redirects are not followed"):
            run_sync(con, webhook_sync(f"{url}/hook"))
    assert elsewhere == []
    assert _statuses(con) == {"pending": 30}


@pytest.mark.parametrize("status", [404, 405, 401, 403])
def test_a_wrong_address_stops_the_run_without_splitting_or_killing_rows(con, status: int) -> None:
    calls: list[str] = []

    def wrong(method, path, headers, body):
        calls.append(path)
        return status, {"error": "no such endpoint"}, {}

    with json_api(wrong) as url, pytest.raises(FatalError, match=f"HTTP {status}"):
        run_sync(con, webhook_sync(f"{url}/wrong", max_attempts=1))
    assert len(calls) == 1
    assert _statuses(con) == {"pending": 30}
    assert con.execute(f"select status from {SCHEMA}.sync_runs").fetchall() == [("failed",)]
    with webhook_channel() as (channel, good):
        assert run_sync(con, webhook_sync(good, max_attempts=1)).confirmed == 30
        assert held(channel) == desired(con)


def test_content_rejections_still_split_to_find_the_bad_rows(con) -> None:
    def picky(method, path, headers, body):
        if "p007" in [record["key"] for record in body["records"]]:
            return 422, {"code": "invalid", "message": "user7@shop.io is not deliverable"}, {}
        return 200, {"rejected": []}, {}

    with json_api(picky) as url:
        summary = run_sync(con, webhook_sync(f"{url}/hook"))
    assert (summary.confirmed, summary.rejected, summary.status) == (29, 1, "completed")
    assert summary.rejections == {"p007": "HTTP 422: code invalid: <email> is not deliverable"}


def test_a_lease_left_by_a_dead_process_on_another_host_expires(con) -> None:
    with webhook_channel() as (_, url):
        sync = webhook_sync(url)
        con.execute(
            f"insert into {SCHEMA}.sync_runs (run_id, sync_name, started_at, status) "
            "values ('old-run', 'audience_hook', now() - interval 2 hour, 'running')"
        )
        con.execute(
            f"insert into {SCHEMA}.sync_leases values ('audience_hook', 'old-run', 'gone-container:7', "
            "now() - interval 2 hour, now() - interval 2 hour)"
        )
        assert run_sync(con, sync).confirmed == 30
        old = f"select status, finished_at is not null from {SCHEMA}.sync_runs where run_id = 'old-run'"
        assert con.execute(old).fetchall() == [("abandoned", True)]
        con.execute(
            f"insert or replace into {SCHEMA}.sync_leases values ('audience_hook', 'busy-run', "
            "'busy-container:7', now(), now())"
        )
        with pytest.raises(runner.LeaseHeldError, match="already running"):
            run_sync(con, sync)


def test_the_cli_exits_non_zero_when_the_channel_never_answered(tmp_path: Path) -> None:
    db = tmp_path / "upstream.duckdb"
    audience_warehouse(db, members=12).close()
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = tmp_path / "syncs.yml"
    config.write_text(
        "syncs:\n  - name: audience_hook\n    source: main.audience\n    key: profile_id\n"
        f"    destination: {{type: webhook, url: 'http://127.0.0.1:{port}/hook', timeout_s: 1}}\n"
    )
    process = start_cli(db, config, "run", "audience_hook")
    out, err = process.communicate(timeout=120)
    assert process.returncode == 1, err
    assert "incomplete" in out and "sent 0, confirmed 0" in out
    assert "12 rows got no verdict (no answer: ConnectionError)" in out


def test_the_cli_refuses_a_warehouse_that_does_not_exist(tmp_path: Path) -> None:
    config = tmp_path / "syncs.yml"
    config.write_text(
        "syncs:\n  - name: audience_hook\n    source: main.audience\n    key: profile_id\n"
        "    destination: {type: webhook, url: 'http://127.0.0.1:9/hook'}\n"
    )
    missing = tmp_path / "typo" / "upstream.duckdb"
    for command in (["status"], ["run", "audience_hook"], ["plan", "audience_hook"]):
        process = start_cli(missing, config, *command)
        _, err = process.communicate(timeout=60)
        assert process.returncode == 1 and f"no warehouse at {missing}" in err
    assert not missing.exists() and not missing.parent.exists()


def test_requeue_from_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "upstream.duckdb"
    with webhook_channel(secret=None) as (channel, url):
        channel.reject_keys = {"p001": "bounced"}
        con = audience_warehouse(db, members=5)
        run_sync(con, webhook_sync(url, max_attempts=1), secret=None)
        con.close()
        config = tmp_path / "syncs.yml"
        config.write_text(
            "syncs:\n  - name: audience_hook\n    source: main.audience\n    key: profile_id\n"
            f"    destination: {{type: webhook, url: '{url}', max_attempts: 1}}\n"
        )
        status = start_cli(db, config, "status")
        out, _ = status.communicate(timeout=60)
        assert out.splitlines()[1].split() == ["audience_hook", "4", "0", "0", "1", "0"]
        process = start_cli(db, config, "requeue", "audience_hook")
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0 and "1 dead rows requeued" in out, err
        channel.reject_keys = {}
        again = start_cli(db, config, "run", "audience_hook")
        out, err = again.communicate(timeout=60)
        assert again.returncode == 0 and "confirmed 1" in out, err
