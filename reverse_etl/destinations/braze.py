"""Braze /users/track: audience membership as a custom attribute on each user.

POST {base_url}/users/track {"attributes": [...]}, at most 75 attribute objects per request,
bearer REST API key (secret_env). add / update send the row's fields and
`{membership_attribute}: true` for the user `external_id` (the field named by external_id_field,
default the sync key); remove sends `{membership_attribute}: false`, so Braze segments built on
the attribute follow the warehouse. With subscription_group_id set, an add also subscribes the user
to that group. A 2xx answer may list `errors` with the index of the attribute object they concern;
those rows are rejected, the rest accepted.
"""

import json
from typing import ClassVar

from reverse_etl.delivery import FatalError
from reverse_etl.destinations.base import Destination, Record, Verdict


class BrazeDestination(Destination):
    """A Braze workspace; one boolean attribute per sync marks membership."""

    max_batch: ClassVar[int] = 75
    default_rate_per_s: ClassVar[float | None] = 1000.0  # /users/track: 3,000 requests per 3 s
    settings: ClassVar[tuple[str, ...]] = (
        "base_url", "membership_attribute", "external_id_field", "subscription_group_id",
    )  # fmt: skip

    def address_fields(self) -> list[str]:
        field = self.config.settings.get("external_id_field")
        return [field] if field else []

    def deliver(self, records: list[Record]) -> dict[str, Verdict]:
        settings = self.config.settings
        if not self.secret or not settings.get("base_url"):
            raise FatalError(
                f"sync {self.sync_name}: braze needs destination.base_url (your REST endpoint) and a key"
            )
        flag = settings.get("membership_attribute", f"upstream_{self.sync_name}")
        id_field = settings.get("external_id_field")
        group = settings.get("subscription_group_id")
        attributes = []
        for record in records:
            external_id = str(record.fields.get(id_field) or record.key) if id_field else record.key
            if record.op == "remove":
                attributes.append({"external_id": external_id, flag: False})
                continue
            item = {k: v for k, v in record.fields.items() if v is not None and k != id_field}
            item.update({"external_id": external_id, flag: True})
            if group:
                item["subscription_groups"] = [
                    {"subscription_group_id": group, "subscription_state": "subscribed"}
                ]
            attributes.append(item)
        body = json.dumps({"attributes": attributes}, default=str).encode()
        headers = {"content-type": "application/json", "authorization": f"Bearer {self.secret}"}
        answer = self.client.post(f"{settings['base_url'].rstrip('/')}/users/track", body, headers).json()
        failed = {
            int(error["index"]): str(error.get("type") or "rejected")
            for error in answer.get("errors", [])
            if error.get("input_array", "attributes") == "attributes" and "index" in error
        }
        return {
            record.key: Verdict(False, failed[index]) if index in failed else Verdict(True)
            for index, record in enumerate(records)
        }
