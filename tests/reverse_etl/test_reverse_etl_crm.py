"""Braze and Iterable against APIs on 127.0.0.1 that follow their documented answers: batch
limits, partial errors by index (Braze) or by email (Iterable), membership kept equal to the
model through adds, updates and removes."""

from pathlib import Path

import duckdb
import pytest

from reverse_etl import config, ledger, runner
from reverse_etl.delivery import RetryPolicy
from reverse_etl.destinations import TYPES
from tests.support.channels import json_api

KEY = "crm-test-key"


class Braze:
    def __init__(self) -> None:
        self.users: dict[str, dict] = {}
        self.sizes: list[int] = []
        self.bad_ids: set[str] = set()
        self.throttle_next = 0

    def answer(self, method: str, path: str, headers: dict, body: dict):
        if headers.get("authorization") != f"Bearer {KEY}":
            return 401, {"message": "Invalid API key"}, {}
        if self.throttle_next:
            self.throttle_next -= 1
            return 429, {"message": "rate limited"}, {"Retry-After": "0"}
        attributes = body["attributes"]
        if len(attributes) > 75:
            return 400, {"message": "Too many attributes objects: at most 75"}, {}
        self.sizes.append(len(attributes))
        errors = []
        for index, item in enumerate(attributes):
            if item["external_id"] in self.bad_ids:
                errors.append(
                    {"type": "'external_id' is invalid", "input_array": "attributes", "index": index}
                )
            else:
                self.users.setdefault(item["external_id"], {}).update(item)
        return (
            201,
            {"message": "success", "attributes_processed": len(attributes) - len(errors), "errors": errors},
            {},
        )


class Iterable:
    def __init__(self) -> None:
        self.members: dict[str, dict] = {}
        self.invalid: set[str] = set()

    def answer(self, method: str, path: str, headers: dict, body: dict):
        if headers.get("api-key") != KEY:
            return 401, {"msg": "Invalid API key", "code": "BadApiKey"}, {}
        assert body["listId"] == 77
        bad = [s["email"] for s in body["subscribers"] if s["email"] in self.invalid]
        for subscriber in body["subscribers"]:
            if subscriber["email"] in bad:
                continue
            if path == "/api/lists/subscribe":
                self.members[subscriber["email"]] = subscriber.get("dataFields", {})
            elif path == "/api/lists/unsubscribe":
                self.members.pop(subscriber["email"], None)
        return (
            200,
            {
                "successCount": len(body["subscribers"]) - len(bad),
                "failCount": len(bad),
                "invalidEmails": bad,
                "failedUpdates": {},
            },
            {},
        )


def _warehouse(path: Path, members: int) -> duckdb.DuckDBPyConnection:
    con = ledger.connect(str(path))
    con.execute(
        "create or replace table main.audience as select 'p' || i as sync_key, "
        "'u' || i || '@shop.io' as email, i as score from range(?) t (i)",
        [members],
    )
    return con


def _run(con, destination: dict):
    raw = {"name": "crm_sync", "source": "main.audience", "key": "sync_key", "destination": destination}
    sync = config.parse({"syncs": [raw]}, TYPES)["crm_sync"]
    target = TYPES[sync.destination.type](sync.name, sync.destination, KEY)
    target.client.retry = RetryPolicy(attempts=3, base_s=0.01, cap_s=0.02)
    return runner.SyncRun(con, sync, target).execute()


@pytest.fixture
def con(tmp_path: Path):
    connection = _warehouse(tmp_path / "upstream.duckdb", 160)
    yield connection
    connection.close()


def test_braze_membership_attribute_follows_the_model(con) -> None:
    braze = Braze()
    braze.bad_ids = {"p9"}
    braze.throttle_next = 1
    with json_api(braze.answer) as url:
        first = _run(con, {"type": "braze", "base_url": url, "batch_size": 500})
        assert first.rejections == {"p9": "'external_id' is invalid"} and first.confirmed == 159
        assert max(braze.sizes) == 75
        con.execute("delete from main.audience where sync_key = 'p1'")
        con.execute("update main.audience set score = -1 where sync_key = 'p2'")
        braze.bad_ids = set()
        _run(con, {"type": "braze", "base_url": url})
    members = {uid for uid, user in braze.users.items() if user.get("upstream_crm_sync")}
    assert members == {row[0] for row in con.execute("select sync_key from main.audience").fetchall()}
    assert braze.users["p1"]["upstream_crm_sync"] is False and braze.users["p2"]["score"] == -1


def test_iterable_list_follows_the_model(con) -> None:
    iterable = Iterable()
    iterable.invalid = {"u3@shop.io"}
    with json_api(iterable.answer) as url:
        first = _run(con, {"type": "iterable", "base_url": url, "list_id": 77})
        assert first.rejections == {"p3": "invalidEmails"}
        con.execute("delete from main.audience where score < 3")
        second = _run(con, {"type": "iterable", "base_url": url, "list_id": 77})
        assert second.planned_removes == 3
    assert set(iterable.members) == {
        row[0] for row in con.execute("select email from main.audience").fetchall()
    } - {"u3@shop.io"}
