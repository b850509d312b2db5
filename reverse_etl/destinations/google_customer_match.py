"""Google Ads Customer Match through an OfflineUserDataJob (Google Ads API, REST).

Per batch: create a CUSTOMER_MATCH_USER_LIST job for the user list, add its operations
(`remove` operations first, then `create`), with partial failure on, then run the job. Each
operation carries the member's identifiers, one per UserIdentifier (hashedEmail /
hashedPhoneNumber: SHA-256 hex of Google's normalization, already computed by the sync model and
never hashed again). A failed operation is named by its index in partialFailureError; the others
are accepted. Auth: bearer access token (secret_env) and the developer token, read from the
environment variable named by developer_token_env (never from the sync file).
"""

import json
import re
from typing import ClassVar

from reverse_etl.config import DestinationConfig
from reverse_etl.delivery import FatalError
from reverse_etl.destinations.base import Destination, Record, Verdict
from upstream_config.secrets import read_secret

SHA256 = re.compile(r"^[0-9a-f]{64}$")
IDENTIFIERS = {"email_sha256": "hashedEmail", "phone_sha256": "hashedPhoneNumber"}


def failed_operations(answer: dict) -> dict[int, str]:
    """Operation index -> message from a partialFailureError."""
    failures: dict[int, str] = {}
    for detail in (answer.get("partialFailureError") or {}).get("details", []):
        for error in detail.get("errors", []):
            for element in (error.get("location") or {}).get("fieldPathElements", []):
                if element.get("fieldName") == "operations" and "index" in element:
                    failures[int(element["index"])] = error.get("message", "operation failed")
    return failures


class GoogleCustomerMatchDestination(Destination):
    """One Customer Match user list, kept equal to the sync model."""

    max_batch: ClassVar[int] = 10_000
    settings: ClassVar[tuple[str, ...]] = (
        "customer_id", "user_list_id", "developer_token_env", "base_url", "api_version",
    )  # fmt: skip

    def __init__(self, sync_name: str, config: DestinationConfig, secret: str | None) -> None:
        super().__init__(sync_name, config, secret)
        variable = config.settings.get("developer_token_env")
        self.developer_token = (
            read_secret(variable, f"sync {sync_name}: destination.developer_token_env") if variable else None
        )

    def address_fields(self) -> list[str]:
        return list(IDENTIFIERS)

    def deliver(self, records: list[Record]) -> dict[str, Verdict]:
        settings = self.config.settings
        customer, user_list = settings.get("customer_id"), settings.get("user_list_id")
        if not customer or not user_list or not self.secret or not self.developer_token:
            raise FatalError(
                f"sync {self.sync_name}: google_customer_match needs destination.customer_id, user_list_id, "
                "developer_token_env and an access token in secret_env"
            )
        host = settings.get("base_url", "https://googleads.googleapis.com").rstrip("/")
        base = f"{host}/{settings.get('api_version', 'v17')}"
        headers = {
            "content-type": "application/json",
            "authorization": f"Bearer {self.secret}",
            "developer-token": self.developer_token,
        }
        verdicts: dict[str, Verdict] = {}
        groups: dict[str, list[tuple[Record, list[dict]]]] = {"remove": [], "create": []}
        for record in records:
            identifiers = []
            for field, name in IDENTIFIERS.items():
                value = record.fields.get(field)
                if value and not SHA256.fullmatch(str(value)):
                    identifiers = None
                    break
                if value:
                    identifiers.append({name: value})
            if identifiers is None:
                verdicts[record.key] = Verdict(
                    False, "identifier is not a SHA-256 hex value; refusing to send it"
                )
            elif not identifiers:
                verdicts[record.key] = Verdict(False, "no hashed email or phone to match on")
            else:
                groups["remove" if record.op == "remove" else "create"].append((record, identifiers))
        if not any(groups.values()):
            return verdicts
        job = self._post(
            f"{base}/customers/{customer}/offlineUserDataJobs:create",
            headers,
            {
                "job": {
                    "type": "CUSTOMER_MATCH_USER_LIST",
                    "customerMatchUserListMetadata": {
                        "userList": f"customers/{customer}/userLists/{user_list}"
                    },
                }
            },
        )["resourceName"]
        for kind, members in groups.items():
            if not members:
                continue
            operations = [{kind: {"userIdentifiers": identifiers}} for _, identifiers in members]
            answer = self._post(
                f"{base}/{job}:addOperations",
                headers,
                {"operations": operations, "enablePartialFailure": True},
            )
            failures = failed_operations(answer)
            for index, (record, _) in enumerate(members):
                verdicts[record.key] = Verdict(False, failures[index]) if index in failures else Verdict(True)
        self._post(f"{base}/{job}:run", headers, {})
        return verdicts

    def _post(self, url: str, headers: dict[str, str], payload: dict) -> dict:
        response = self.client.post(url, json.dumps(payload).encode(), headers)
        return response.json() if response.content else {}
