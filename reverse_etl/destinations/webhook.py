"""Standard Webhooks destination.

POST {"sync": NAME, "records": [{"op", "key", "fields"}]} with headers webhook-id (stable for a
batch, reused on its retries), webhook-timestamp (unix seconds) and webhook-signature
"v1,<base64 HMAC-SHA256 of '{id}.{timestamp}.{body}'>", keyed by the base64 part of a whsec_
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
    encoded = secret.removeprefix("whsec_")
    try:
        return base64.b64decode(encoded, validate=True)
    except ValueError as error:
        raise FatalError("the webhook secret is not a whsec_<base64> value") from error


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The webhook-signature header value for one request."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(signing_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


class WebhookDestination(Destination):
    """Any HTTPS endpoint speaking the Standard Webhooks contract above."""

    max_batch: ClassVar[int] = 1000

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
        # Stable for this batch: the same records give the same id, so retries reuse it.
        message_id = "msg_" + hashlib.sha256(body).hexdigest()[:32]
        timestamp = int(time.time())
        headers = {
            "content-type": "application/json",
            "webhook-id": message_id,
            "webhook-timestamp": str(timestamp),
        }
        if self.secret:
            headers["webhook-signature"] = signature(self.secret, message_id, timestamp, body)
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
