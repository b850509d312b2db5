"""The type of each raw column, decided the way a lossless loader must: from the values seen,
widening an existing column rather than dropping a value that does not fit it.

Logical types: boolean, bigint, double, timestamp, string. A column that has held integers and
now gets a fraction becomes double; any other disagreement makes the column text, which every
value can be written as (staging casts it back)."""

import datetime as dt

STRING = "string"
TIMESTAMP_COLUMNS = frozenset({"received_at", "sent_at", "original_timestamp", "timestamp"})
_BIGINT_RANGE = range(-(2**63), 2**63)


def value_type(column: str, value: object) -> str | None:
    """The logical type `value` needs; None for a null, which fits any column."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "bigint" if value in _BIGINT_RANGE else STRING
    if isinstance(value, float):
        return "double"
    if isinstance(value, dt.datetime) and column in TIMESTAMP_COLUMNS:
        return "timestamp"
    return STRING


def merged(current: str | None, needed: str | None) -> str | None:
    """The narrowest type holding values of both types."""
    if current is None or current == needed:
        return needed if current is None else current
    if needed is None:
        return current
    if {current, needed} == {"bigint", "double"}:
        return "double"
    return STRING


def fits(existing: str, needed: str) -> bool:
    """Whether a column of logical type `existing` takes a value of type `needed` as it is."""
    return existing in (needed, STRING) or (existing == "double" and needed == "bigint")


def as_text(value: object) -> str:
    """A value written into a text column, spelled as JSON spells it (true, 3.5)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="microseconds") + "Z"
    return str(value)
