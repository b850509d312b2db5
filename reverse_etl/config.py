"""Sync definitions (reverse_etl/syncs.yml or --config FILE), validated at start.

Every error names the sync and the field, so a typo is found before anything is planned or sent.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_CONFIG = Path(__file__).with_name("syncs.yml")
MODES = ("mirror", "upsert", "insert")
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


def _destination(raw: Any, name: str, known_types: set[str]) -> DestinationConfig:
    if not isinstance(raw, dict):
        raise ConfigError(f"sync {name}: field 'destination' must be a mapping with a 'type'")
    kind = raw.get("type")
    if kind not in known_types:
        raise ConfigError(
            f"sync {name}: field 'destination.type' must be one of "
            f"{', '.join(sorted(known_types))}, got {kind!r}"
        )
    secret_env = raw.get("secret_env")
    if secret_env is not None and (
        not isinstance(secret_env, str) or not re.fullmatch(r"[A-Z_][A-Z0-9_]*", secret_env)
    ):
        raise ConfigError(f"sync {name}: field 'destination.secret_env' must name an environment variable")
    reserved = {"type", "batch_size", "timeout_s", "max_attempts", "rate_per_s", "secret_env"}
    return DestinationConfig(
        type=kind,
        settings={key: value for key, value in raw.items() if key not in reserved},
        batch_size=int(_number(raw, name, "batch_size", 100, 1)),
        timeout_s=float(_number(raw, name, "timeout_s", 10.0, 0.1)),
        max_attempts=int(_number(raw, name, "max_attempts", 5, 1)),
        rate_per_s=_number(raw, name, "rate_per_s", None, 0.01),
        secret_env=secret_env,
    )


def parse(document: Any, known_types: set[str]) -> dict[str, SyncConfig]:
    """Sync configs by name from a parsed YAML document."""
    if not isinstance(document, dict) or not isinstance(document.get("syncs"), list):
        raise ConfigError("the sync file must have a top-level list 'syncs'")
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
            destination=_destination(raw.get("destination"), name, known_types),
            max_remove_share=float(share),
        )
    return syncs


def load(path: Path, known_types: set[str]) -> dict[str, SyncConfig]:
    """Read and validate a sync file."""
    try:
        document = yaml.safe_load(path.read_text())
    except FileNotFoundError as error:
        raise ConfigError(f"sync file {path} does not exist") from error
    except yaml.YAMLError as error:
        raise ConfigError(f"sync file {path} is not valid YAML: {error}") from error
    return parse(document, known_types)
