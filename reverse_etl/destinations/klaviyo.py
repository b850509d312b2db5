"""Klaviyo lists: bulk profile import into the list (add / update), list relationship removal
(remove). Headers: Authorization "Klaviyo-API-Key <key>" (secret_env) and a fixed `revision`.

add / update: POST /api/profile-bulk-import-jobs/ with the profiles (email, external_id = the
sync key, properties = the other fields) and the list as relationship, at most 10,000 profiles per
job; the job is polled until it is complete, then its import errors (every page of them, following
`links.next`) name the rows Klaviyo refused (by email).
remove: Klaviyo removes by its own profile ids, so the ids are looked up by email
(GET /api/profiles/?filter=any(email,[...])) and then DELETE /api/lists/{id}/relationships/profiles/.
An email Klaviyo does not know is already out of the list: the remove is accepted.
"""

import json
import time
import urllib.parse
from typing import ClassVar

from reverse_etl.delivery import FatalError, RetriableError
from reverse_etl.destinations.base import Destination, Record, Verdict

REVISION = "2024-10-15"


class KlaviyoDestination(Destination):
    """One Klaviyo list, kept equal to the sync model."""

    max_batch: ClassVar[int] = 10_000
    settings: ClassVar[tuple[str, ...]] = ("list_id", "base_url", "email_field")
    default_rate_per_s: ClassVar[float | None] = 2.5  # bulk import jobs: 150 per minute steady
    poll_interval_s: ClassVar[float] = 1.0
    poll_timeout_s: ClassVar[float] = 300.0

    def address_fields(self) -> list[str]:
        return [self.config.settings.get("email_field", "email")]

    def deliver(self, records: list[Record]) -> dict[str, Verdict]:
        settings = self.config.settings
        if not self.secret or not settings.get("list_id"):
            raise FatalError(
                f"sync {self.sync_name}: klaviyo needs destination.list_id and a private API key"
            )
        self.base = settings.get("base_url", "https://a.klaviyo.com").rstrip("/")
        self.headers = {
            "content-type": "application/json",
            "authorization": f"Klaviyo-API-Key {self.secret}",
            "revision": REVISION,
        }
        email_field = settings.get("email_field", "email")
        verdicts: dict[str, Verdict] = {}
        removes, imports = [], []
        for record in records:
            if not record.fields.get(email_field):
                verdicts[record.key] = Verdict(False, f"no {email_field} to identify the profile")
            else:
                (removes if record.op == "remove" else imports).append(record)
        if removes:
            verdicts.update(self._remove(removes, email_field, settings["list_id"]))
        if imports:
            verdicts.update(self._import(imports, email_field, settings["list_id"]))
        return verdicts

    def _call(self, method: str, path: str, payload: dict | None = None) -> dict:
        body = json.dumps(payload, default=str).encode() if payload is not None else None
        response = self.client.request(method, f"{self.base}{path}", body, self.headers)
        return response.json() if response.content else {}

    def _pages(self, path: str) -> list[dict]:
        """Every item of a paginated GET, following links.next (only on Klaviyo's own host: the
        API key must not follow a link elsewhere)."""
        items: list[dict] = []
        while path:
            answer = self._call("GET", path)
            items += answer.get("data", [])
            following = (answer.get("links") or {}).get("next")
            if following and not following.startswith(self.base + "/"):
                raise FatalError(f"sync {self.sync_name}: Klaviyo's next page is on another host")
            path = following.removeprefix(self.base) if following else ""
        return items

    def _remove(self, records: list[Record], email_field: str, list_id: str) -> dict[str, Verdict]:
        emails = [r.fields[email_field] for r in records]
        ids = []
        for start in range(0, len(emails), 100):  # a page holds at most 100 profiles
            query = urllib.parse.quote(f"any(email,{json.dumps(emails[start : start + 100])})")
            found = self._pages(f"/api/profiles/?filter={query}&page[size]=100")
            ids += [profile["id"] for profile in found]
        if ids:
            self._call(
                "DELETE",
                f"/api/lists/{list_id}/relationships/profiles/",
                {"data": [{"type": "profile", "id": profile_id} for profile_id in ids]},
            )
        return {r.key: Verdict(True) for r in records}

    def _import(self, records: list[Record], email_field: str, list_id: str) -> dict[str, Verdict]:
        profiles = [
            {
                "type": "profile",
                "attributes": {
                    "email": r.fields[email_field],
                    "external_id": r.key,
                    "properties": {k: v for k, v in r.fields.items() if k != email_field},
                },
            }
            for r in records
        ]
        job = self._call(
            "POST",
            "/api/profile-bulk-import-jobs/",
            {
                "data": {
                    "type": "profile-bulk-import-job",
                    "attributes": {"profiles": {"data": profiles}},
                    "relationships": {"lists": {"data": [{"type": "list", "id": list_id}]}},
                }
            },
        )["data"]["id"]
        deadline = time.monotonic() + self.poll_timeout_s
        while True:
            status = self._call("GET", f"/api/profile-bulk-import-jobs/{job}/")["data"]["attributes"][
                "status"
            ]
            if status == "complete":
                break
            if status in ("cancelled", "failed"):
                raise RetriableError(f"Klaviyo import job {job} ended {status}")
            if time.monotonic() > deadline:
                raise RetriableError(
                    f"Klaviyo import job {job} still {status} after {self.poll_timeout_s:.0f}s"
                )
            time.sleep(self.poll_interval_s)
        errors = self._pages(f"/api/profile-bulk-import-jobs/{job}/import-errors/")
        refused = {
            error["attributes"]["original_payload"].get("email"): error["attributes"].get("detail", "refused")
            for error in errors
        }
        return {
            r.key: Verdict(False, refused[r.fields[email_field]])
            if r.fields[email_field] in refused
            else Verdict(True)
            for r in records
        }
