"""Sync definitions (reverse_etl/syncs.yml or --config FILE), validated at start.

Every error names the sync and the field, so a typo is found before anything is planned or sent:
an unknown key is an error with the closest known key suggested (a misspelled `secret_env` would
otherwise send unsigned requests). Credentials never live in the file, only the names of the
environment variables that hold them; a plain http:// URL is refused unless it is loopback.
"""

import difflib
import ipaddress
import os
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_CONFIG = Path(__file__).with_name("syncs.yml")


def config_path() -> Path:
    """The sync file the CLI and the Dagster code location read: UPSTREAM_SYNC_CONFIG, else the
    shipped reverse_etl/syncs.yml."""
    return Path(os.environ.get("UPSTREAM_SYNC_CONFIG", DEFAULT_CONFIG))


MODES = ("mirror", "upsert", "insert")
SYNC_KEYS = ("name", "source", "key", "mode", "destination", "max_remove_share")
DESTINATION_KEYS = ("type", "batch_size", "timeout_s", "max_attempts", "rate_per_s", "secret_env")
ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
RELATION = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")


class ConfigError(Exception):
    """The sync file is unusable; the message says which sync and which field."""


@dataclass(frozen=True)
class DestinationConfig:
    """Where and how to deliver: the type picks the destination module, the rest are its settings."""

    type: str
    settings: dict[str, Any] = field(default_factory=dict)
    batch_size: int = 100
    timeout_s: float = 10.0
    max_attempts: int = 5
    rate_per_s: float | None = None
    secret_env: str | None = None


@dataclass(frozen=True)
class SyncConfig:
    """One sync: a source relation, its key, a mode and a destination."""

    name: str
    source: str
    key: str
    mode: str
    destination: DestinationConfig
    max_remove_share: float = 0.5


def _require(raw: dict, name: str, key: str, kind: type | tuple) -> Any:
    value = raw.get(key)
    if value is None:
        raise ConfigError(f"sync {name}: field '{key}' is required")
    if not isinstance(value, kind):
        raise ConfigError(
            f"sync {name}: field '{key}' must be {getattr(kind, '__name__', kind)}, got {value!r}"
        )
    return value


def _number(raw: dict, name: str, key: str, default: float | None, minimum: float) -> Any:
    value = raw.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise ConfigError(
            f"sync {name}: field 'destination.{key}' must be a number >= {minimum}, got {value!r}"
        )
    return value


CREDENTIAL = re.compile(r"(token|secret|password|api_key|apikey|auth)$", re.IGNORECASE)


def _reject_unknown_keys(raw: dict, name: str, prefix: str, known: tuple[str, ...] | list[str]) -> None:
    for key in raw:
        if key in known:
            continue
        if CREDENTIAL.search(str(key)) and f"{key}_env" in known:
            raise ConfigError(
                f"sync {name}: '{prefix}{key}' puts a credential in the sync file; credentials come from "
                f"the environment: set an environment variable and name it in '{prefix}{key}_env'"
            )
        close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else f" (known: {', '.join(known)})"
        raise ConfigError(f"sync {name}: unknown key '{prefix}{key}'{hint}")


def _check_url(name: str, key: str, value: Any) -> None:
    """URLs must be https, except to this machine (local test channels and the demo channel)."""
    if not isinstance(value, str):
        raise ConfigError(f"sync {name}: field 'destination.{key}' must be a URL, got {value!r}")
    parsed = urllib.parse.urlsplit(value)
    if parsed.scheme == "https" and parsed.hostname:
        return
    if parsed.scheme == "http" and _is_loopback(parsed.hostname):
        return
    # The URL itself is not echoed: a token in its query would reach the terminal and the logs.
    raise ConfigError(
        f"sync {name}: field 'destination.{key}' must be an https:// URL (plain http:// only to "
        f"this machine's loopback), got a {parsed.scheme or 'scheme-less'} URL to {parsed.hostname}"
    )


def _is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def _destination(raw: Any, name: str, types: Mapping[str, Any]) -> DestinationConfig:
    if not isinstance(raw, dict):
        raise ConfigError(f"sync {name}: field 'destination' must be a mapping with a 'type'")
    kind = raw.get("type")
    if kind not in types:
        raise ConfigError(
            f"sync {name}: field 'destination.type' must be one of {', '.join(sorted(types))}, got {kind!r}"
        )
    settings_keys = tuple(getattr(types[kind], "settings", ()))
    _reject_unknown_keys(raw, name, "destination.", [*DESTINATION_KEYS, *settings_keys])
    for key, value in raw.items():
        if key == "secret_env" or key.endswith("_env"):
            if value is not None and (not isinstance(value, str) or not ENV_NAME.fullmatch(value)):
                raise ConfigError(f"sync {name}: field 'destination.{key}' must name an environment variable")
        elif key == "url" or key.endswith("_url"):
            _check_url(name, key, value)
    secret_env = raw.get("secret_env")
    return DestinationConfig(
        type=kind,
        settings={key: value for key, value in raw.items() if key not in DESTINATION_KEYS},
        batch_size=int(_number(raw, name, "batch_size", 100, 1)),
        timeout_s=float(_number(raw, name, "timeout_s", 10.0, 0.1)),
        max_attempts=int(_number(raw, name, "max_attempts", 5, 1)),
        rate_per_s=_number(raw, name, "rate_per_s", None, 0.01),
        secret_env=secret_env,
    )


def parse(document: Any, types: Mapping[str, Any]) -> dict[str, SyncConfig]:
    """Sync configs by name from a parsed YAML document; `types` maps each destination type to
    its class, whose `settings` lists the keys it reads."""
    if not isinstance(document, dict) or not isinstance(document.get("syncs"), list):
        raise ConfigError("the sync file must have a top-level list 'syncs'")
    _reject_unknown_keys({key: None for key in document if key != "syncs"}, "file", "", ["syncs"])
    syncs: dict[str, SyncConfig] = {}
    for position, raw in enumerate(document["syncs"]):
        if not isinstance(raw, dict):
            raise ConfigError(f"sync #{position + 1}: must be a mapping")
        name = raw.get("name")
        if not isinstance(name, str) or not NAME.fullmatch(name):
            raise ConfigError(
                f"sync #{position + 1}: field 'name' must be lower_snake_case text, got {name!r}"
            )
        if name in syncs:
            raise ConfigError(f"sync {name}: defined twice")
        _reject_unknown_keys(raw, name, "", SYNC_KEYS)
        source = _require(raw, name, "source", str)
        if not RELATION.fullmatch(source):
            raise ConfigError(
                f"sync {name}: field 'source' must be a model name or schema.table, got {source!r}"
            )
        key = _require(raw, name, "key", str)
        mode = raw.get("mode", "mirror")
        if mode not in MODES:
            raise ConfigError(f"sync {name}: field 'mode' must be one of {', '.join(MODES)}, got {mode!r}")
        share = raw.get("max_remove_share", 0.5)
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
            raise ConfigError(
                f"sync {name}: field 'max_remove_share' must be a number in [0, 1], got {share!r}"
            )
        syncs[name] = SyncConfig(
            name=name,
            source=source,
            key=key,
            mode=mode,
            destination=_destination(raw.get("destination"), name, types),
            max_remove_share=float(share),
        )
    return syncs


def load(path: Path, types: Mapping[str, Any]) -> dict[str, SyncConfig]:
    """Read and validate a sync file."""
    try:
        document = yaml.safe_load(path.read_text())
    except FileNotFoundError as error:
        raise ConfigError(f"sync file {path} does not exist") from error
    except yaml.YAMLError as error:
        raise ConfigError(f"sync file {path} is not valid YAML: {error}") from error
    return parse(document, types)
