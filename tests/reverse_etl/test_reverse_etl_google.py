"""Google Customer Match against a Google-Ads-like API on 127.0.0.1: one job per batch, remove
operations before create, one identifier per UserIdentifier, partial failures by index."""

import hashlib
import os
from pathlib import Path

import duckdb

from reverse_etl import config, ledger, runner
from reverse_etl.delivery import RetryPolicy
from reverse_etl.destinations import TYPES
from tests.support.channels import json_api

TOKEN, DEV_TOKEN = "google-test-token", "dev-token-1"
DEV_TOKEN_ENV = "UPSTREAM_TEST_GOOGLE_DEVELOPER_TOKEN"


class CustomerMatch:
    """Jobs and the user list they change when run."""

    def __init__(self) -> None:
        self.members: set[str] = set()  # hashed identifiers in the list
        self.jobs: dict[str, list[dict]] = {}
        self.refused: set[str] = set()
        self.kinds: list[str] = []

    def answer(self, method: str, path: str, headers: dict, body: dict):
        if headers.get("authorization") != f"Bearer {TOKEN}" or headers.get("developer-token") != DEV_TOKEN:
            return 401, {"error": {"code": 401, "status": "UNAUTHENTICATED"}}, {}
        if path == "/v17/customers/123/offlineUserDataJobs:create":
            assert body["job"]["customerMatchUserListMetadata"]["userList"] == "customers/123/userLists/456"
            name = f"customers/123/offlineUserDataJobs/{len(self.jobs) + 1}"
            self.jobs[name] = []
            return 200, {"resourceName": name}, {}
        job, _, action = path.removeprefix("/v17/").partition(":")
        if job not in self.jobs:
            return 404, {"error": {"code": 404, "status": "NOT_FOUND"}}, {}
        if action == "addOperations":
            errors = []
            for index, operation in enumerate(body["operations"]):
                ((kind, member),) = operation.items()
                self.kinds.append(kind)
                values = []
                for identifier in member["userIdentifiers"]:
                    assert len(identifier) == 1, "one identifier per UserIdentifier"
                    values.extend(identifier.values())
                if any(value in self.refused for value in values):
                    errors.append(
                        {
                            "message": "The identifier is not valid.",
                            "location": {"fieldPathElements": [{"fieldName": "operations", "index": index}]},
                        }
                    )
                else:
                    self.jobs[job].append({kind: values})
            answer = {"partialFailureError": {"code": 3, "details": [{"errors": errors}]}} if errors else {}
            return 200, answer, {}
        if action == "run":
            for operation in self.jobs[job]:
                ((kind, values),) = operation.items()
                for value in values:
                    (self.members.add if kind == "create" else self.members.discard)(value)
            return 200, {"name": f"operations/{job}"}, {}
        return 400, {"error": {"code": 400}}, {}


def _warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    con = ledger.connect(str(path))
    con.execute(
        "create or replace table main.audience as select 'p' || i as sync_key, "
        "sha256('u' || i || '@x.io') as email_sha256, "
        "case when i % 3 = 0 then sha256('+1415555' || i) end as phone_sha256 from range(20) t (i)"
    )
    return con


def _run(con, url: str):
    os.environ[DEV_TOKEN_ENV] = DEV_TOKEN
    raw = {
        "name": "winback_google",
        "source": "main.audience",
        "key": "sync_key",
        "destination": {
            "type": "google_customer_match",
            "base_url": url,
            "customer_id": "123",
            "user_list_id": "456",
            "developer_token_env": DEV_TOKEN_ENV,
        },
    }
    sync = config.parse({"syncs": [raw]}, TYPES)["winback_google"]
    destination = TYPES[sync.destination.type](sync.name, sync.destination, TOKEN)
    destination.client.retry = RetryPolicy(attempts=3, base_s=0.01, cap_s=0.02)
    return runner.SyncRun(con, sync, destination).execute()


def _desired(con) -> set[str]:
    rows = con.execute("select email_sha256, phone_sha256 from main.audience").fetchall()
    return {value for row in rows for value in row if value}


def test_the_list_follows_the_model_with_partial_failures_named(tmp_path: Path) -> None:
    con = _warehouse(tmp_path / "upstream.duckdb")
    api = CustomerMatch()
    api.refused = {hashlib.sha256(b"u4@x.io").hexdigest()}
    with json_api(api.answer) as url:
        first = _run(con, url)
        assert first.rejections == {"p4": "The identifier is not valid."}
        assert api.members == _desired(con) - api.refused
        api.refused = set()
        con.execute("delete from main.audience where sync_key in ('p0', 'p1')")
        second = _run(con, url)
        assert (second.planned_removes, second.confirmed) == (2, 3)  # two removes and the retried p4
        assert api.members == _desired(con)
        assert api.kinds[-3:] == ["remove", "remove", "create"]
