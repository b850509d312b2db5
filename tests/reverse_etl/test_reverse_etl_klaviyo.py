"""Klaviyo against a Klaviyo-like API on 127.0.0.1: bulk import jobs polled to completion,
import errors by email, removal by profile id looked up from the email."""

import json
import urllib.parse
from pathlib import Path

from reverse_etl import config, ledger, runner
from reverse_etl.delivery import RetryPolicy
from reverse_etl.destinations import TYPES, klaviyo
from tests.support.channels import json_api

KEY = "pk_test_klaviyo"


class Klaviyo:
    def __init__(self) -> None:
        self.profiles: dict[str, str] = {}  # email -> profile id
        self.list_members: set[str] = set()  # profile ids in list L1
        self.jobs: dict[str, dict] = {}
        self.invalid: set[str] = set()
        self.base_url = ""

    def answer(self, method: str, path: str, headers: dict, body: dict):
        if (
            headers.get("authorization") != f"Klaviyo-API-Key {KEY}"
            or headers.get("revision") != klaviyo.REVISION
        ):
            return 401, {"errors": [{"code": "not_authenticated"}]}, {}
        if method == "POST" and path == "/api/profile-bulk-import-jobs/":
            profiles = body["data"]["attributes"]["profiles"]["data"]
            if len(profiles) > 10_000:
                return 400, {"errors": [{"detail": "at most 10,000 profiles"}]}, {}
            job = f"job{len(self.jobs) + 1}"
            self.jobs[job] = {"profiles": profiles, "polls": 0, "errors": []}
            return (
                202,
                {"data": {"type": "profile-bulk-import-job", "id": job, "attributes": {"status": "queued"}}},
                {},
            )
        if method == "GET" and path.startswith("/api/profile-bulk-import-jobs/"):
            job = path.split("/")[3]
            state = self.jobs[job]
            if "/import-errors/" in path:  # one error per page, as a long list would come
                page = int(path.partition("page=")[2] or 0)
                following = (
                    f"{self.base_url}/api/profile-bulk-import-jobs/{job}/import-errors/?page={page + 1}"
                )
                more = page + 1 < len(state["errors"])
                return (
                    200,
                    {
                        "data": state["errors"][page : page + 1],
                        "links": {"next": following if more else None},
                    },
                    {},
                )
            state["polls"] += 1
            if state["polls"] < 2:
                return 200, {"data": {"id": job, "attributes": {"status": "processing"}}}, {}
            if state["polls"] == 2:
                for profile in state["profiles"]:
                    email = profile["attributes"]["email"]
                    if email in self.invalid:
                        state["errors"].append(
                            {
                                "attributes": {
                                    "detail": "Invalid email address",
                                    "original_payload": {"email": email},
                                }
                            }
                        )
                        continue
                    profile_id = self.profiles.setdefault(email, f"01K{len(self.profiles):08d}")
                    self.list_members.add(profile_id)
            return 200, {"data": {"id": job, "attributes": {"status": "complete"}}}, {}
        if method == "GET" and path.startswith("/api/profiles/"):
            query = urllib.parse.parse_qs(urllib.parse.urlparse(path).query)["filter"][0]
            emails = json.loads(query.removeprefix("any(email,").removesuffix(")"))
            found = [{"type": "profile", "id": self.profiles[e]} for e in emails if e in self.profiles]
            return 200, {"data": found}, {}
        if method == "DELETE" and path == "/api/lists/L1/relationships/profiles/":
            for item in body["data"]:
                self.list_members.discard(item["id"])
            return 204, {}, {}
        return 404, {"errors": [{"code": "not_found"}]}, {}


def test_list_follows_the_model_through_import_jobs(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(klaviyo.KlaviyoDestination, "poll_interval_s", 0.01)
    con = ledger.connect(str(tmp_path / "upstream.duckdb"))
    con.execute(
        "create table main.audience as select 'p' || i as sync_key, 'k' || i || '@shop.io' as email, "
        "i as score from range(240) t (i)"
    )
    api = Klaviyo()
    api.invalid = {"k5@shop.io", "k7@shop.io", "k230@shop.io"}

    def run():
        raw = {
            "name": "welcome_klaviyo",
            "source": "main.audience",
            "key": "sync_key",
            "destination": {"type": "klaviyo", "base_url": url, "list_id": "L1"},
        }
        sync = config.parse({"syncs": [raw]}, TYPES)["welcome_klaviyo"]
        destination = TYPES["klaviyo"](sync.name, sync.destination, KEY)
        destination.client.retry = RetryPolicy(attempts=3, base_s=0.01, cap_s=0.02)
        return runner.SyncRun(con, sync, destination).execute()

    with json_api(api.answer) as url:
        api.base_url = url
        first = run()
        assert first.rejections == {k: "Invalid email address" for k in ("p5", "p7", "p230")}
        assert first.confirmed == 237
        con.execute("delete from main.audience where score between 11 and 120")
        second = run()
        assert second.planned_removes == 110  # more than one page of profile lookups
    in_list = {email for email, profile_id in api.profiles.items() if profile_id in api.list_members}
    desired = {row[0] for row in con.execute("select email from main.audience").fetchall()} - api.invalid
    assert in_list == desired
