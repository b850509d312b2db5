"""Meta Custom Audiences: add (POST) and remove (DELETE) users of one audience.

{base_url}/{api_version}/{audience_id}/users with {"payload": {"schema": ["EMAIL_SHA256",
"PHONE_SHA256"], "data": [[email_hash, phone_hash], ...]}}, at most 10,000 rows per request,
bearer access token from secret_env. The sync model already holds SHA-256 hex of Meta's
normalization (models/activation, egress_hashing); values are sent as they are, never hashed
again, and a value that is not a SHA-256 is refused here rather than sent in the clear. The
answer counts num_received and num_invalid_entries with samples; rows we cannot match to a sample
are isolated by splitting the batch. Meta reports throttling as HTTP 400 with codes 4, 17, 32,
613 or 80003: those are retried, not treated as bad rows.
"""

import json
import re
from typing import ClassVar

from reverse_etl.delivery import BatchRejectedError, FatalError, RetriableError
from reverse_etl.destinations.base import Destination, Record, Verdict

SHA256 = re.compile(r"^[0-9a-f]{64}$")
SCHEMA = ["EMAIL_SHA256", "PHONE_SHA256"]
FIELDS = ["email_sha256", "phone_sha256"]
THROTTLING_CODES = {"4", "17", "32", "613", "80003"}


class MetaCustomAudiencesDestination(Destination):
    """One Meta custom audience, kept equal to the sync model (mirror)."""

    max_batch: ClassVar[int] = 10_000
    settings: ClassVar[tuple[str, ...]] = ("audience_id", "base_url", "api_version")

    def address_fields(self) -> list[str]:
        return list(FIELDS)

    def deliver(self, records: list[Record]) -> dict[str, Verdict]:
        settings = self.config.settings
        audience = settings.get("audience_id")
        if not audience or not self.secret:
            raise FatalError(
                f"sync {self.sync_name}: meta_custom_audiences needs destination.audience_id and a token"
            )
        base = settings.get("base_url", "https://graph.facebook.com").rstrip("/")
        url = f"{base}/{settings.get('api_version', 'v21.0')}/{audience}/users"
        verdicts: dict[str, Verdict] = {}
        sendable: dict[str, list[Record]] = {"DELETE": [], "POST": []}  # removes first
        for record in records:
            values = [record.fields.get(name) for name in FIELDS]
            if not any(values):
                verdicts[record.key] = Verdict(False, "no hashed email or phone to match on")
            elif any(value and not SHA256.fullmatch(str(value)) for value in values):
                verdicts[record.key] = Verdict(
                    False, "identifier is not a SHA-256 hex value; refusing to send it"
                )
            else:
                sendable["DELETE" if record.op == "remove" else "POST"].append(record)
        for method, batch in sendable.items():
            if batch:
                verdicts.update(self._call(method, url, batch))
        return verdicts

    def _call(self, method: str, url: str, batch: list[Record]) -> dict[str, Verdict]:
        rows = [[record.fields.get(name) or "" for name in FIELDS] for record in batch]
        body = json.dumps({"payload": {"schema": SCHEMA, "data": rows}}).encode()
        headers = {"content-type": "application/json", "authorization": f"Bearer {self.secret}"}
        try:
            answer = self.client.request(method, url, body, headers).json()
        except BatchRejectedError as error:
            if str(error.code) in THROTTLING_CODES:
                raise RetriableError(f"Meta throttled the request ({error.reason})") from None
            raise
        if answer.get("num_received") != len(rows):
            raise RetriableError(f"Meta received {answer.get('num_received')} of {len(rows)} rows")
        invalid = answer.get("invalid_entry_samples") or {}
        verdicts = {}
        for record, row in zip(batch, rows, strict=True):
            reasons = [invalid[value] for value in row if value and value in invalid]
            verdicts[record.key] = Verdict(False, reasons[0]) if reasons else Verdict(True)
        unmatched = int(answer.get("num_invalid_entries") or 0) - sum(
            not v.accepted for v in verdicts.values()
        )
        if unmatched > 0:
            # Meta said some rows were invalid without saying which: split to find them.
            raise BatchRejectedError(200, f"{unmatched} invalid entries Meta did not name")
        return verdicts
