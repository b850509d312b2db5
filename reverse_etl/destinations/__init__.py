"""Destinations: one module per channel, each knowing how to batch, call, and read the verdict.

`TYPES` maps the `destination.type` of a sync to its class.
"""

from reverse_etl.destinations.base import Destination, Record, Verdict
from reverse_etl.destinations.braze import BrazeDestination
from reverse_etl.destinations.google_customer_match import GoogleCustomerMatchDestination
from reverse_etl.destinations.iterable import IterableDestination
from reverse_etl.destinations.klaviyo import KlaviyoDestination
from reverse_etl.destinations.meta_custom_audiences import MetaCustomAudiencesDestination
from reverse_etl.destinations.twilio_sms import TwilioSmsDestination
from reverse_etl.destinations.webhook import WebhookDestination

TYPES: dict[str, type[Destination]] = {
    "webhook": WebhookDestination,
    "twilio_sms": TwilioSmsDestination,
    "meta_custom_audiences": MetaCustomAudiencesDestination,
    "google_customer_match": GoogleCustomerMatchDestination,
    "braze": BrazeDestination,
    "iterable": IterableDestination,
    "klaviyo": KlaviyoDestination,
}

__all__ = ["TYPES", "Destination", "Record", "Verdict"]
