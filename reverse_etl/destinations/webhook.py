"""Standard Webhooks destination.

POST {"sync": NAME, "records": [{"op", "key", "fields"}]} with headers webhook-id (named by the
operations the batch carries: reused on their retries, new for a new operation on the same row, so
a receiver that deduplicates on it never drops a re-add), webhook-timestamp (unix seconds) and
webhook-signature "v1,<base64 HMAC-SHA256 of '{id}.{timestamp}.{body}'>", keyed by the base64 part of a whsec_
secret. A 2xx accepts every record except those listed in {"rejected": [{"key", "reason"}]}.
"""

import base64
import hashlib
import hmac
import json
import time
from typing import ClassVar

from reverse_etl.delivery import FatalError
from reverse_etl.destinations.base import Destination, Record, Verdict


def signing_key(secret: str) -> bytes:
    """The HMAC key of a whsec_ secret (the base64-decoded part after the prefix)."""
    return base64.b64decode(secret.removeprefix("whsec_"), validate=True)


def message_id(records: list[Record], body: bytes) -> str:
    """webhook-id of a batch: a hash of its operations' ids (of the body when they have none)."""
    op_ids = sorted(r.op_id for r in records if r.op_id)
    named = "\n".join(op_ids).encode() if len(op_ids) == len(records) else body
    return "msg_" + hashlib.sha256(named).hexdigest()[:32]


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The webhook-signature header value for one request."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(signing_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


class WebhookDestination(Destination):
    """Any HTTPS endpoint speaking the Standard Webhooks contract above."""

    max_batch: ClassVar[int] = 1000
    settings: ClassVar[tuple[str, ...]] = ("url",)

    def secret_format_problem(self, secret: str) -> str | None:
        try:
            key = signing_key(secret)
        except ValueError:
            key = b""
        if not secret.startswith("whsec_") or len(key) < 16:
            return "is not a whsec_<base64> signing secret of at least 16 bytes"
        return None

    def deliver(self, records: list[Record]) -> dict[str, Verdict]:
        url = self.config.settings.get("url")
        if not url:
            raise FatalError(f"sync {self.sync_name}: destination.url is required for a webhook")
        body = json.dumps(
            {
                "sync": self.sync_name,
                "records": [{"op": r.op, "key": r.key, "fields": r.fields} for r in records],
            },
            sort_keys=True,
            default=str,
        ).encode()
        batch_id = message_id(records, body)
        timestamp = int(time.time())
        headers = {
            "content-type": "application/json",
            "webhook-id": batch_id,
            "webhook-timestamp": str(timestamp),
        }
        if self.secret:
            headers["webhook-signature"] = signature(self.secret, batch_id, timestamp, body)
        response = self.client.post(url, body, headers)
        rejected = {}
        if response.content:
            try:
                answer = response.json()
            except ValueError:
                answer = {}
            for item in answer.get("rejected", []) if isinstance(answer, dict) else []:
                rejected[str(item.get("key"))] = str(item.get("reason") or "rejected")
        return {
            r.key: Verdict(False, rejected[r.key]) if r.key in rejected else Verdict(True) for r in records
        }
