"""Twilio Programmable Messaging: one SMS per record (journey sends).

POST {base_url}/2010-04-01/Accounts/{account_sid}/Messages.json, form fields To, From (or
MessagingServiceSid) and Body, HTTP basic auth (account_sid, auth token from secret_env).
201 = accepted (answer carries the message sid); 400 with {"code", "message"} = this message is
refused (e.g. 21211 invalid To number); 429 = slow down. Twilio has no idempotency key, so a send
whose outcome is unknown stays in flight and is never sent again on its own
(`python -m reverse_etl resolve`).
"""

import string
from typing import ClassVar

from reverse_etl.delivery import BatchRejectedError, FatalError
from reverse_etl.destinations.base import Destination, Record, Verdict

DEFAULT_BASE_URL = "https://api.twilio.com"


class TwilioSmsDestination(Destination):
    """Sends each added record as one text message; an SMS cannot be updated or unsent."""

    side_effecting: ClassVar[bool] = True
    max_batch: ClassVar[int] = 1
    default_rate_per_s: ClassVar[float | None] = 1.0  # one message per second per long-code sender
    modes: ClassVar[tuple[str, ...]] = ("insert",)
    settings: ClassVar[tuple[str, ...]] = (
        "account_sid", "body_template", "base_url", "phone_field", "messaging_service_sid", "from_number",
    )  # fmt: skip

    def deliver(self, records: list[Record]) -> dict[str, Verdict]:
        settings = self.config.settings
        account = settings.get("account_sid")
        template = settings.get("body_template")
        if not account or not template or not self.secret:
            raise FatalError(
                f"sync {self.sync_name}: twilio_sms needs destination.account_sid, destination.body_template "
                "and the auth token in destination.secret_env"
            )
        base = settings.get("base_url", DEFAULT_BASE_URL).rstrip("/")
        url = f"{base}/2010-04-01/Accounts/{account}/Messages.json"
        verdicts = {}
        for record in records:
            phone_field = settings.get("phone_field", "phone")
            to = record.fields.get(phone_field)
            if not to:
                verdicts[record.key] = Verdict(False, f"no {phone_field} to text")
                continue
            try:
                body = string.Template(template).substitute(
                    {k: "" if v is None else v for k, v in record.fields.items()}
                )
            except (KeyError, ValueError) as error:
                raise FatalError(
                    f"sync {self.sync_name}: body_template names an unknown field {error}"
                ) from error
            form = {"To": to, "Body": body}
            if settings.get("messaging_service_sid"):
                form["MessagingServiceSid"] = settings["messaging_service_sid"]
            else:
                form["From"] = settings.get("from_number", "")
            try:
                self.client.post_form(url, form, auth=(account, self.secret))
            except BatchRejectedError as error:
                verdicts[record.key] = Verdict(False, error.reason)
                continue
            verdicts[record.key] = Verdict(True)
        return verdicts
