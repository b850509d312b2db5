"""Secrets and sync-file mistakes: a malformed secret is refused by name before anything is planned,
no secret reaches output or the ledger even when requests chokes on it, credentials never come from
the sync file, plain http only to loopback, a TLS failure is "not sent", and every unknown key in
the sync file is an error that suggests the key meant."""

import re
from pathlib import Path

import duckdb
import pytest

from reverse_etl import config, ledger, runner
from reverse_etl.delivery import FatalError
from reverse_etl.destinations import TYPES
from tests.support.channels import TEST_SECRET, json_api, webhook_channel
from tests.support.sync_cli import start_cli
from tests.support.sync_fixtures import audience_warehouse, held, sms_sync
from tests.support.warehouse import query

SECRET_ENV = "UPSTREAM_TEST_CHANNEL_SECRET"
# Settings that make each destination type reach its HTTP call.
SETTINGS = {
    "webhook": {},
    "braze": {},
    "iterable": {"list_id": "7"},
    "klaviyo": {"list_id": "L1"},
    "meta_custom_audiences": {"audience_id": "42"},
    "google_customer_match": {
        "customer_id": "1",
        "user_list_id": "2",
        "developer_token_env": "UPSTREAM_TEST_DEV",
    },
    "twilio_sms": {"account_sid": "AC1", "from_number": "+15005550006", "body_template": "hi"},
}
MALFORMED = [
    "sk_live_AbC123\r\nX-Injected: yes",  # a header injection attempt
    "sk live with spaces 9f8e7d",
    "sk_live_ünïcode_5a4b3c",
]


def _audience(db: Path) -> None:
    with ledger.connect(str(db)) as con:
        con.execute(
            "create or replace table main.audience as select 'p' || i as profile_id, "
            "'u' || i || '@shop.io' as email, '+1415555010' || i as phone, "
            "sha256('u' || i || '@shop.io') as email_sha256, null as phone_sha256 from range(3) t (i)"
        )


def _sync_file(path: Path, kind: str, url: str) -> Path:
    settings = {"url": f"{url}/hook"} if kind == "webhook" else {"base_url": url, **SETTINGS[kind]}
    mode = "insert" if kind == "twilio_sms" else "mirror"
    lines = [
        "syncs:",
        "  - name: audience_sync",
        "    source: main.audience",
        "    key: profile_id",
        f"    mode: {mode}",
        "    destination:",
        f"      type: {kind}",
        f"      secret_env: {SECRET_ENV}",
        *(f"      {key}: '{value}'" for key, value in settings.items()),
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def _ledger_text(db: Path) -> str:
    return " ".join(
        str(value)
        for table in ("sync_runs", "sync_changelog", "sync_pending", "sync_state")
        for row in query(db, f"select * from {ledger.SCHEMA}.{table}")
        for value in row
    )


@pytest.mark.parametrize("kind", sorted(TYPES))
def test_a_malformed_secret_is_refused_by_name_before_anything_is_written(tmp_path: Path, kind: str) -> None:
    db = tmp_path / "upstream.duckdb"
    _audience(db)
    calls: list[str] = []
    with json_api(lambda method, path, *_: calls.append(path) or (200, {}, {})) as url:
        sync_file = _sync_file(tmp_path / "syncs.yml", kind, url)
        for secret in MALFORMED:
            process = start_cli(
                db, sync_file, "run", "audience_sync", env={SECRET_ENV: secret, "UPSTREAM_TEST_DEV": "dev-1"}
            )
            out, err = process.communicate(timeout=60)
            assert process.returncode == 1
            assert (
                f"sync audience_sync: destination.secret_env names {SECRET_ENV}, which holds a space" in err
            )
            for part in re.split(r"[\s]+", secret):
                assert part not in out + err
    assert calls == []
    assert query(db, f"select count(*) from {ledger.SCHEMA}.sync_runs") == [(0,)]


HEADER_SECRETS = ["braze", "iterable", "klaviyo", "meta_custom_audiences", "google_customer_match"]


@pytest.mark.parametrize("kind", HEADER_SECRETS)
def test_a_header_requests_refuses_is_not_quoted_anywhere(tmp_path: Path, kind: str, monkeypatch) -> None:
    """Defence in depth: a secret that got past the checks and makes requests raise InvalidHeader
    (which quotes the header) ends the run with a message that does not carry it."""
    monkeypatch.setenv("UPSTREAM_TEST_DEV", "dev-1")
    db = tmp_path / "upstream.duckdb"
    _audience(db)
    secret = "tok_SECRET_VALUE_77\n"
    with json_api(lambda *_: (200, {}, {})) as url:
        sync = config.load(_sync_file(tmp_path / "syncs.yml", kind, url), TYPES)["audience_sync"]
        destination = TYPES[kind](sync.name, sync.destination, "placeholder")
        destination.secret = secret  # as if the value had changed after the check
        with ledger.connect(str(db)) as con, pytest.raises(FatalError) as raised:
            runner.SyncRun(con, sync, destination).execute()
    assert "tok_SECRET_VALUE_77" not in str(raised.value)
    assert raised.value.__cause__ is None and raised.value.__context__ is None
    assert "tok_SECRET_VALUE_77" not in _ledger_text(db)


def test_a_secret_with_a_trailing_newline_is_stripped_and_works(tmp_path: Path) -> None:
    db = tmp_path / "upstream.duckdb"
    audience_warehouse(db, members=5).close()
    with webhook_channel() as (channel, url):
        sync_file = _sync_file(tmp_path / "syncs.yml", "webhook", url.removesuffix("/hook"))
        text = sync_file.read_text().replace("audience_sync", "audience_hook")
        sync_file.write_text(text)
        process = start_cli(db, sync_file, "run", "audience_hook", env={SECRET_ENV: TEST_SECRET + "\n"})
        _, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        assert len(held(channel)) == 5  # every request carried a valid signature


def test_the_webhook_secret_format_is_checked_before_planning(tmp_path: Path) -> None:
    db = tmp_path / "upstream.duckdb"
    audience_warehouse(db, members=3).close()
    sync_file = _sync_file(tmp_path / "syncs.yml", "webhook", "http://127.0.0.1:9")
    process = start_cli(db, sync_file, "run", "audience_sync", env={SECRET_ENV: "not-a-whsec-value"})
    _, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert f"names {SECRET_ENV}, which is not a whsec_<base64> signing secret" in err
    assert "not-a-whsec-value" not in err
    assert query(db, f"select count(*) from {ledger.SCHEMA}.sync_pending") == [(0,)]


def _raw_sync(**destination: object) -> dict:
    return {
        "name": "audience_hook",
        "source": "main.audience",
        "key": "profile_id",
        "destination": {"type": "webhook", "url": "https://hooks.example.com/x", **destination},
    }


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            _raw_sync(secret_evn="MY_SECRET"),
            "sync audience_hook: unknown key 'destination.secret_evn' (did you mean 'secret_env'?)",
        ),
        (
            {**_raw_sync(), "max_remove_shar": 0.1},
            "sync audience_hook: unknown key 'max_remove_shar' (did you mean 'max_remove_share'?)",
        ),
        (_raw_sync(batch_sise=10), "unknown key 'destination.batch_sise' (did you mean 'batch_size'?)"),
        (
            {**_raw_sync(), "destination": {"type": "google_customer_match", "developer_token": "abc"}},
            "'destination.developer_token' puts a credential in the sync file; credentials come from the "
            "environment",
        ),
        (_raw_sync(url="http://hooks.example.com/x"), "must be an https:// URL (plain http:// only to"),
        (_raw_sync(url="ftp://127.0.0.1/x"), "must be an https:// URL"),
    ],
)
def test_sync_file_mistakes_are_errors_that_say_what_was_meant(raw: dict, message: str) -> None:
    with pytest.raises(config.ConfigError, match=re.escape(message)):
        config.parse({"syncs": [raw]}, TYPES)


def test_a_token_in_a_refused_url_is_not_echoed() -> None:
    raw = _raw_sync(url="http://hooks.example.com/x?token=sk_live_hidden")
    with pytest.raises(config.ConfigError) as raised:
        config.parse({"syncs": [raw]}, TYPES)
    assert "sk_live_hidden" not in str(raised.value)


def test_loopback_http_is_allowed() -> None:
    for url in (
        "http://127.0.0.1:8787/hook",
        "http://localhost/x",
        "http://127.5.0.1/x",
        "http://[::1]:80/x",
    ):
        assert config.parse({"syncs": [_raw_sync(url=url)]}, TYPES)["audience_hook"].destination


def test_a_tls_failure_is_not_sent_not_may_have_arrived(tmp_path: Path) -> None:
    """An https URL to a plain-HTTP server fails in the TLS handshake, before any request: an SMS
    must stay pending (safe to send later), not in flight."""
    con = ledger.connect(str(tmp_path / "upstream.duckdb"))
    with json_api(lambda *_: (201, {"sid": "SM1"}, {})) as url:
        summary = sms_sync(con, url.replace("http://", "https://"), attempts=2).execute()
    assert (summary.status, summary.in_flight, summary.sent) == ("incomplete", 0, 0)
    assert "TLS handshake failed, nothing sent" in summary.line()
    statuses = con.execute(f"select status, attempts from {ledger.SCHEMA}.sync_pending").fetchall()
    assert statuses == [("pending", 0)]


def test_the_demo_sync_file_is_valid() -> None:
    assert config.load(config.DEFAULT_CONFIG, TYPES)


def test_ledger_connect_leaves_an_existing_ledger_usable(tmp_path: Path) -> None:
    """Ledgers written before op_id and heartbeat_at existed gain the columns on connect."""
    db = tmp_path / "old.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute(f"create schema {ledger.SCHEMA}")
        con.execute(
            f"create table {ledger.SCHEMA}.sync_leases (sync_name varchar primary key, run_id varchar, "
            "holder varchar, acquired_at timestamp)"
        )
    with ledger.connect(str(db)) as con:
        columns = [row[0] for row in con.execute(f"describe {ledger.SCHEMA}.sync_leases").fetchall()]
    assert columns[-1] == "heartbeat_at"
