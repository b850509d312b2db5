"""Destinations: one module per channel, each knowing how to batch, call, and read the verdict.

`TYPES` maps the `destination.type` of a sync to its class; `build` makes a sync's destination
with its secret read from the environment and checked.
"""

from reverse_etl.config import ConfigError, SyncConfig
from reverse_etl.destinations.base import Destination, Record, Verdict
from reverse_etl.destinations.braze import BrazeDestination
from reverse_etl.destinations.google_customer_match import GoogleCustomerMatchDestination
from reverse_etl.destinations.iterable import IterableDestination
from reverse_etl.destinations.klaviyo import KlaviyoDestination
from reverse_etl.destinations.meta_custom_audiences import MetaCustomAudiencesDestination
from reverse_etl.destinations.twilio_sms import TwilioSmsDestination
from reverse_etl.destinations.webhook import WebhookDestination
from upstream_config.secrets import SecretError, read_secret

TYPES: dict[str, type[Destination]] = {
    "webhook": WebhookDestination,
    "twilio_sms": TwilioSmsDestination,
    "meta_custom_audiences": MetaCustomAudiencesDestination,
    "google_customer_match": GoogleCustomerMatchDestination,
    "braze": BrazeDestination,
    "iterable": IterableDestination,
    "klaviyo": KlaviyoDestination,
}


def build(sync: SyncConfig) -> Destination:
    """The sync's destination; a ConfigError (naming the sync and the variable) when a secret is
    missing or malformed, so nothing is planned or written for it."""
    try:
        secret = None
        if sync.destination.secret_env:
            secret = read_secret(sync.destination.secret_env, f"sync {sync.name}: destination.secret_env")
        return TYPES[sync.destination.type](sync.name, sync.destination, secret)
    except SecretError as error:
        raise ConfigError(str(error)) from None


__all__ = ["TYPES", "Destination", "Record", "Verdict", "build"]
