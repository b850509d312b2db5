"""What the Tracking API accepts, and the landing record each accepted message becomes.

A landing record is the message as the client sent it (keys unchanged, so the load step can
apply Segment's warehouse rules later and a replay sees the original), plus what only the
collector knows: `type` from the endpoint when the body leaves it out, `receivedAt`, the batch's
`sentAt` when the message has none, and the source the write key belongs to. The write key
itself never lands: it is a secret."""

import uuid
from dataclasses import dataclass

import orjson

from collector.settings import MAX_EVENT_BYTES

TYPES = ("track", "identify", "page", "screen", "group", "alias")
# analytics.js posts each call to /v1/<first letter of its type> and batches to /v1/b.
SHORT_PATHS = {name[0]: name for name in TYPES} | {"b": "batch", "m": "batch"}
BATCH_PATHS = ("batch", "import")
SOURCE_KEY = "_upstream_source"


class InvalidMessageError(Exception):
    """The request cannot be accepted as it is (a 400); the message says why."""


@dataclass(frozen=True)
class Accepted:
    lines: bytes  # one JSON object per line, each line ending with a newline
    count: int


def endpoint_kind(path: str) -> str | None:
    """`track`, `batch`, ... for a /v1/ path the API serves, None otherwise."""
    name = path.removeprefix("/v1/").strip("/")
    name = SHORT_PATHS.get(name, name)
    return name if name in TYPES or name in BATCH_PATHS else None


def accept(kind: str, body: dict, source: str, received_at: str, client_ip: str | None = None) -> Accepted:
    """The landing lines for a request body of endpoint `kind`, or InvalidMessageError. A message
    whose context has no `ip` gets the client's address, as Segment's API adds it."""
    if kind in BATCH_PATHS:
        batch = body.get("batch")
        if not isinstance(batch, list) or not batch:
            raise InvalidMessageError("a batch needs a non-empty `batch` array of messages")
        sent_at = body.get("sentAt")
        context = body.get("context") if isinstance(body.get("context"), dict) else None
        records = [
            _record(message, None, source, received_at, sent_at, context, position, client_ip)
            for position, message in enumerate(batch)
        ]
    else:
        records = [_record(body, kind, source, received_at, None, None, None, client_ip)]
    return Accepted(lines=b"".join(records), count=len(records))


def _record(
    message: object,
    kind: str | None,
    source: str,
    received_at: str,
    batch_sent_at: object,
    batch_context: dict | None,
    position: int | None,
    client_ip: str | None,
) -> bytes:
    where = "" if position is None else f"batch[{position}]: "
    if not isinstance(message, dict):
        raise InvalidMessageError(f"{where}a message must be a JSON object")
    message_type = message.get("type", kind)
    if kind is not None and message_type != kind:
        raise InvalidMessageError(f"{where}type {message_type!r} posted to /v1/{kind}")
    if message_type not in TYPES:
        raise InvalidMessageError(f"{where}unknown type {message_type!r}; use one of {', '.join(TYPES)}")
    if not _present(message.get("userId")) and not _present(message.get("anonymousId")):
        raise InvalidMessageError(f"{where}a message needs a userId or an anonymousId")
    if message_type == "track" and not _present(message.get("event")):
        raise InvalidMessageError(f"{where}a track call needs an `event` name")
    if message_type == "alias" and not _present(message.get("previousId")):
        raise InvalidMessageError(f"{where}an alias call needs a `previousId`")
    record = {key: value for key, value in message.items() if key != "writeKey"}
    record["type"] = message_type
    if not _present(record.get("messageId")):
        # Segment gives a message without an id one, so staging can still deduplicate it.
        record["messageId"] = f"upstream-{uuid.uuid4()}"
    if batch_context and not isinstance(record.get("context"), dict):
        record["context"] = batch_context
    if client_ip:
        context = record.get("context") if isinstance(record.get("context"), dict) else {}
        if not context.get("ip"):
            record["context"] = {**context, "ip": client_ip}
    if "sentAt" not in record and batch_sent_at is not None:
        record["sentAt"] = batch_sent_at
    record["receivedAt"] = received_at
    record[SOURCE_KEY] = source
    line = orjson.dumps(record)
    if len(line) > MAX_EVENT_BYTES:
        raise InvalidMessageError(
            f"{where}message is {len(line)} bytes; the limit is {MAX_EVENT_BYTES} bytes (32 KB) per event"
        )
    return line + b"\n"


def _present(value: object) -> bool:
    return value is not None and (not isinstance(value, str) or value.strip() != "") and value != {}
