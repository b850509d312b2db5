"""A landing record as Segment's warehouse loader writes it: the rows it adds, per table.

Every table gets the common columns (id, anonymous_id, user_id, the four times, the flattened
context, the source); then identifies and groups get their traits as columns, tracks the event
name, each event's own table the event's properties, pages and screens their name and properties,
aliases the previous id. Nested objects are flattened with `_`, arrays kept as JSON text."""

import datetime as dt
from typing import Any

import orjson

from collector.messages import SOURCE_KEY
from collector.naming import event_table, snake_case

Row = dict[str, Any]


def rows_for(record: dict) -> list[tuple[str, Row]]:
    """(table, row) pairs for one landing record."""
    kind = record.get("type")
    common = _common(record)
    if kind == "track":
        event = str(record.get("event"))
        named = {**common, "event": snake_case(event), "event_text": event}
        return [("tracks", named), (event_table(event), _with(named, record.get("properties"), "properties"))]
    if kind == "identify":
        rows = [("identifies", _with(common, record.get("traits"), "traits"))]
        if common.get("user_id") is not None:
            # Segment's users table: one row per user id, the traits of the latest identify.
            user = {"id": common["user_id"], "received_at": common["received_at"]}
            rows.append(("users", _with(user, record.get("traits"), "traits")))
        return rows
    if kind in ("page", "screen"):
        named = {**common, "name": record.get("name")}
        if record.get("category") is not None:
            named["category"] = record["category"]
        return [(f"{kind}s", _with(named, record.get("properties"), "properties"))]
    if kind == "group":
        grouped = {**common, "group_id": _text(record.get("groupId"))}
        return [("groups", _with(grouped, record.get("traits"), "traits"))]
    if kind == "alias":
        return [("aliases", {**common, "previous_id": _text(record.get("previousId"))})]
    raise ValueError(f"unknown message type {kind!r}")


def _common(record: dict) -> Row:
    received = _timestamp(record.get("receivedAt"))
    sent = _timestamp(record.get("sentAt"))
    original = _timestamp(record.get("timestamp"))
    row: Row = {
        "id": _text(record.get("messageId")),
        "anonymous_id": _text(record.get("anonymousId")),
        "user_id": _text(record.get("userId")),
        "received_at": received,
        "sent_at": sent,
        "original_timestamp": original,
        "timestamp": corrected_timestamp(received, sent, original),
        "upstream_source": record.get(SOURCE_KEY),
    }
    context = record.get("context")
    if isinstance(context, dict):
        _flatten(context, "context", row, set(row), "context")
    return row


def corrected_timestamp(
    received: dt.datetime | None, sent: dt.datetime | None, original: dt.datetime | None
) -> dt.datetime | None:
    """When the event happened by the collector's clock: a device whose clock is off by x stamps
    both `timestamp` and `sentAt` off by x, so receivedAt - (sentAt - timestamp) cancels it."""
    if original is None:
        return received
    if sent is None or received is None:
        return original
    return received - (sent - original)


def _with(base: Row, extra: object, holder: str) -> Row:
    """`base` plus the flattened keys of `extra` (the message's `holder`, properties or traits)."""
    row = dict(base)
    if isinstance(extra, dict):
        _flatten(extra, "", row, set(base), holder)
    return row


def _flatten(value: dict, prefix: str, row: Row, owned: set[str], holder: str) -> None:
    """Add value's leaves to row as prefix_key columns; a name that would overwrite a column the
    loader owns (`id`, `timestamp`, ...) is kept as `<holder>_<name>` instead."""
    for key, item in value.items():
        name = snake_case(f"{prefix}_{key}" if prefix else str(key))
        if name in owned:
            name = snake_case(f"{holder}_{name}")
        if isinstance(item, dict):
            _flatten(item, name, row, owned, holder)
        else:
            row[name] = orjson.dumps(item).decode() if isinstance(item, list) else item


def _timestamp(value: object) -> dt.datetime | None:
    """An ISO-8601 time as naive UTC, None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        if value[-1] == "Z":  # what the SDKs send: UTC already, no conversion needed
            return dt.datetime.fromisoformat(value[:-1])
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else orjson.dumps(value).decode()
