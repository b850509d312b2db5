"""Meta Custom Audiences against a Meta-like Graph API on 127.0.0.1: hashed rows only, add and
remove, the 10,000-row limit, invalid entries named or not, and throttling reported as HTTP 400."""

import hashlib
from pathlib import Path

import duckdb
import pytest

from reverse_etl import config, ledger, runner
from reverse_etl.delivery import RetryPolicy
from reverse_etl.destinations import TYPES
from tests.support.channels import json_api

TOKEN = "meta-test-token"


class MetaAudience:
    """What the fake Graph API holds and how it misbehaves."""

    def __init__(self) -> None:
        self.members: set[tuple[str, str]] = set()
        self.refused: set[str] = set()  # hashes Meta calls invalid
        self.name_samples = True
        self.throttle_next = 0
        self.calls: list[tuple[str, int]] = []

    def answer(self, method: str, path: str, headers: dict, body: dict):
        if headers.get("authorization") != f"Bearer {TOKEN}":
            return 401, {"error": {"message": "Invalid OAuth access token", "code": 190}}, {}
        if path != "/v21.0/aud_1/users":
            return 404, {"error": {"message": "Unknown path", "code": 803}}, {}
        if self.throttle_next:
            self.throttle_next -= 1
            return 400, {"error": {"message": "User request limit reached", "code": 17}}, {}
        payload = body["payload"]
        data = payload["data"]
        if len(data) > 10_000:
            return 400, {"error": {"message": "Too many users in one request", "code": 100}}, {}
        assert payload["schema"] == ["EMAIL_SHA256", "PHONE_SHA256"]
        self.calls.append((method, len(data)))
        invalid = {}
        for row in data:
            bad = [value for value in row if value in self.refused]
            if bad:
                invalid[bad[0]] = "Invalid hashed value"
            elif method == "POST":
                self.members.add(tuple(row))
            else:
                self.members.discard(tuple(row))
        answer = {
            "audience_id": "aud_1",
            "session_id": "s1",
            "num_received": len(data),
            "num_invalid_entries": len(invalid),
        }
        if self.name_samples:
            answer["invalid_entry_samples"] = invalid
        return 200, answer, {}


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _warehouse(path: Path, members: int = 25) -> duckdb.DuckDBPyConnection:
    con = ledger.connect(str(path))
    con.execute(
        "create or replace table main.audience as select 'p' || i as sync_key, "
        "sha256('user' || i || '@x.io') as email_sha256, "
        "case when i % 2 = 0 then sha256('1415555' || i) end as phone_sha256 from range(?) t (i)",
        [members],
    )
    return con


def _run(con, url: str, **settings):
    raw = {
        "name": "lapsed_meta",
        "source": "main.audience",
        "key": "sync_key",
        "destination": {"type": "meta_custom_audiences", "base_url": url, "audience_id": "aud_1", **settings},
    }
    sync = config.parse({"syncs": [raw]}, TYPES)["lapsed_meta"]
    destination = TYPES[sync.destination.type](sync.name, sync.destination, TOKEN)
    destination.client.retry = RetryPolicy(attempts=3, base_s=0.01, cap_s=0.02)
    return runner.SyncRun(con, sync, destination).execute()


def _desired(con) -> set[tuple[str, str]]:
    return {
        (e, p or "")
        for e, p in con.execute("select email_sha256, phone_sha256 from main.audience").fetchall()
    }


@pytest.fixture
def con(tmp_path: Path):
    connection = _warehouse(tmp_path / "upstream.duckdb")
    yield connection
    connection.close()


def test_adds_and_removes_keep_the_audience_equal(con) -> None:
    meta = MetaAudience()
    with json_api(meta.answer) as url:
        assert _run(con, url).confirmed == 25
        assert meta.members == _desired(con)
        con.execute("delete from main.audience where sync_key in ('p1', 'p2')")
        con.execute("insert into main.audience values ('p99', sha256('new@x.io'), null)")
        summary = _run(con, url)
        assert (summary.planned_adds, summary.planned_removes) == (1, 2)
        assert meta.members == _desired(con)
        assert [method for method, _ in meta.calls[-2:]] == ["DELETE", "POST"]


def test_values_are_never_hashed_again_and_clear_text_is_refused(con) -> None:
    meta = MetaAudience()
    con.execute("update main.audience set email_sha256 = 'user3@x.io' where sync_key = 'p3'")
    with json_api(meta.answer) as url:
        summary = _run(con, url)
        assert summary.rejections == {"p3": "identifier is not a SHA-256 hex value; refusing to send it"}
        assert (_sha("user4@x.io"), "") not in meta.members  # p4 has a phone, so the pair is (email, phone)
        assert (_sha("user5@x.io"), "") in meta.members  # sent exactly as the model holds it
        assert not any("user3" in value for row in meta.members for value in row)


def test_invalid_entries_are_found_even_when_meta_does_not_name_them(con) -> None:
    meta = MetaAudience()
    meta.refused = {_sha("user7@x.io")}
    meta.name_samples = False
    with json_api(meta.answer) as url:
        summary = _run(con, url, batch_size=10)
        assert list(summary.rejections) == ["p7"]
        assert summary.confirmed == 24
        assert meta.members == _desired(con) - {(_sha("user7@x.io"), "")}


def test_throttling_is_retried_next_run_not_treated_as_bad_rows(con) -> None:
    meta = MetaAudience()
    meta.throttle_next = 1
    with json_api(meta.answer) as url:
        first = _run(con, url)
        assert first.rejected == 0 and first.confirmed == 0
        assert _run(con, url).confirmed == 25
        assert meta.members == _desired(con)


def test_batches_respect_the_10000_row_limit(tmp_path: Path) -> None:
    con = _warehouse(tmp_path / "upstream.duckdb", members=12_000)
    meta = MetaAudience()
    with json_api(meta.answer) as url:
        assert _run(con, url, batch_size=50_000).confirmed == 12_000
    assert max(size for _, size in meta.calls) == 10_000
