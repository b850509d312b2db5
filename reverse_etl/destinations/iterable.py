"""Iterable lists: subscribe (add / update, with dataFields) and unsubscribe (remove).

POST {base_url}/api/lists/subscribe and /api/lists/unsubscribe with {"listId", "subscribers":
[{"email", "dataFields"}]}, header Api-Key (secret_env). The answer counts successes and
failures and names the failed emails (invalidEmails, and failedUpdates per reason); rows with a
named email are rejected with that reason, the others accepted.
"""

import json
from typing import ClassVar

from reverse_etl.delivery import FatalError
from reverse_etl.destinations.base import Destination, Record, Verdict


def failed_emails(answer: dict) -> dict[str, str]:
    """email -> reason from Iterable's answer."""
    failed = {email: "invalidEmails" for email in answer.get("invalidEmails", [])}
    for reason, emails in (answer.get("failedUpdates") or {}).items():
        failed.update({email: reason for email in emails})
    return failed


class IterableDestination(Destination):
    """One Iterable list, kept equal to the sync model."""

    max_batch: ClassVar[int] = 1000
    settings: ClassVar[tuple[str, ...]] = ("list_id", "base_url", "email_field")

    def address_fields(self) -> list[str]:
        return [self.config.settings.get("email_field", "email")]

    def deliver(self, records: list[Record]) -> dict[str, Verdict]:
        settings = self.config.settings
        if not self.secret or not settings.get("list_id"):
            raise FatalError(f"sync {self.sync_name}: iterable needs destination.list_id and an API key")
        base = settings.get("base_url", "https://api.iterable.com").rstrip("/")
        email_field = settings.get("email_field", "email")
        verdicts: dict[str, Verdict] = {}
        calls: dict[str, list[Record]] = {"unsubscribe": [], "subscribe": []}
        for record in records:
            if not record.fields.get(email_field):
                verdicts[record.key] = Verdict(False, f"no {email_field} to subscribe")
            else:
                calls["unsubscribe" if record.op == "remove" else "subscribe"].append(record)
        headers = {"content-type": "application/json", "api-key": self.secret}
        for action, batch in calls.items():
            if not batch:
                continue
            subscribers = [
                {"email": r.fields[email_field]}
                if action == "unsubscribe"
                else {
                    "email": r.fields[email_field],
                    "dataFields": {k: v for k, v in r.fields.items() if k != email_field},
                }
                for r in batch
            ]
            body = json.dumps(
                {"listId": int(settings["list_id"]), "subscribers": subscribers}, default=str
            ).encode()
            answer = self.client.post(f"{base}/api/lists/{action}", body, headers).json()
            failed = failed_emails(answer)
            for record in batch:
                email = record.fields[email_field]
                verdicts[record.key] = Verdict(False, failed[email]) if email in failed else Verdict(True)
        return verdicts
