"""The collector's settings, read from the environment in one place and checked at start.

UPSTREAM_WRITE_KEYS holds `source=key` pairs separated by commas; the source name is kept on
every event, so raw rows say which site or app sent them. Keys are secrets: errors name the
variable and the position of a bad pair, never a key."""

import os
from dataclasses import dataclass
from pathlib import Path

from upstream_config.secrets import checked_secret
from upstream_config.warehouse import warehouse_path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8088
# Segment's documented limits: 32 KB per event, 500 KB per batch request.
MAX_EVENT_BYTES = 32 * 1024
MAX_BATCH_BYTES = 500 * 1024


class SettingsError(Exception):
    """A collector setting is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class LandingSettings:
    directory: Path
    # A landing file is closed (and so visible to the sensor) this long after its first event,
    # or once it holds this many bytes, whichever comes first.
    rotate_seconds: float
    rotate_bytes: int


def write_keys() -> dict[str, str]:
    """Write key -> source name, from UPSTREAM_WRITE_KEYS (`web=key1,ios=key2`)."""
    raw = os.environ.get("UPSTREAM_WRITE_KEYS", "")
    if not raw.strip():
        raise SettingsError(
            "UPSTREAM_WRITE_KEYS is not set: give each source a write key, e.g. "
            "UPSTREAM_WRITE_KEYS=web=<key>,ios=<key> (the SDKs send the key as their writeKey)"
        )
    keys: dict[str, str] = {}
    for position, pair in enumerate(raw.split(","), start=1):
        source, separator, key = pair.partition("=")
        source = source.strip()
        if not separator or not source or not key.strip():
            raise SettingsError(f"UPSTREAM_WRITE_KEYS: pair {position} is not source=key")
        key = checked_secret(key, "UPSTREAM_WRITE_KEYS", f"pair {position} ({source})")
        if key in keys:
            raise SettingsError(
                f"UPSTREAM_WRITE_KEYS: pair {position} ({source}) repeats another source's key"
            )
        keys[key] = source
    return keys


def landing_settings() -> LandingSettings:
    """Where landing files go (UPSTREAM_LANDING_DIR, by default `landing/` beside the warehouse
    file) and when a file is closed."""
    default = warehouse_path().parent / "landing"
    directory = Path(os.environ.get("UPSTREAM_LANDING_DIR") or default)
    return LandingSettings(
        directory=directory,
        rotate_seconds=_positive_number("UPSTREAM_LANDING_ROTATE_SECONDS", 1.0),
        rotate_bytes=int(_positive_number("UPSTREAM_LANDING_ROTATE_MB", 64) * 1024 * 1024),
    )


def _positive_number(variable: str, default: float) -> float:
    raw = os.environ.get(variable)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{variable}={raw!r} is not a number") from None
    if value <= 0:
        raise SettingsError(f"{variable}={raw!r} must be greater than 0")
    return value
