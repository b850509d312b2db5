"""Syncs of small tables for the reverse-ETL tests: a webhook audience and an SMS journey step."""

from pathlib import Path

import duckdb

from reverse_etl import config, ledger, runner
from reverse_etl.delivery import RetryPolicy
from reverse_etl.destinations import TYPES
from tests.support.channels import TEST_SECRET


def webhook_sync(url: str, **destination: object) -> config.SyncConfig:
    """Sync `audience_hook` of main.audience (key profile_id) to `url`, batches of 10."""
    document = {
        "syncs": [
            {
                "name": "audience_hook",
                "source": "main.audience",
                "key": "profile_id",
                "mode": destination.pop("mode", "mirror"),
                "destination": {
                    "type": "webhook",
                    "url": url,
                    "batch_size": 10,
                    "timeout_s": 2,
                    **destination,
                },
            }
        ]
    }
    return config.parse(document, TYPES)["audience_hook"]


def audience_warehouse(path: Path, members: int = 30) -> duckdb.DuckDBPyConnection:
    """A warehouse with the ledger and main.audience (profile_id p000.., email, score)."""
    con = ledger.connect(str(path))
    con.execute(
        "create or replace table main.audience as select 'p' || lpad(i::varchar, 3, '0') as profile_id, "
        "'user' || i || '@shop.io' as email, i as score from range(?) as t (i)",
        [members],
    )
    return con


def run_sync(
    con: duckdb.DuckDBPyConnection, sync: config.SyncConfig, secret: str | None = TEST_SECRET, **kwargs
) -> runner.RunSummary:
    """One run with quick retries (attempts 6, backoff at most 0.05 s)."""
    destination = TYPES["webhook"](sync.name, sync.destination, secret)
    destination.client.retry = RetryPolicy(attempts=6, base_s=0.01, cap_s=0.05)
    return runner.SyncRun(con, sync, destination).execute(**kwargs)


def desired(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return dict(con.execute("select profile_id, score from main.audience").fetchall())


def held(channel) -> dict[str, int]:
    """What the webhook channel holds for audience_hook, as profile_id -> score."""
    return {key: fields["score"] for key, fields in channel.held["audience_hook"].items()}


def sms_sync(
    con: duckdb.DuckDBPyConnection, base_url: str, token: str = "token", attempts: int = 3
) -> runner.SyncRun:
    """A run of one SMS (table main.due, key step_key) to a Twilio-like API at base_url."""
    con.execute("create or replace table main.due as select 'j1:sms' as step_key, '+14155550100' as phone")
    raw = {
        "name": "cart_sms",
        "source": "main.due",
        "key": "step_key",
        "mode": "insert",
        "destination": {
            "type": "twilio_sms",
            "base_url": base_url,
            "account_sid": "AC1",
            "from_number": "+15005550006",
            "body_template": "hi",
        },
    }
    sync = config.parse({"syncs": [raw]}, TYPES)["cart_sms"]
    destination = TYPES["twilio_sms"](sync.name, sync.destination, token)
    destination.client.retry = RetryPolicy(attempts=attempts, base_s=0.01, cap_s=0.02)
    return runner.SyncRun(con, sync, destination)
