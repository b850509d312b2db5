"""The type of each raw column, decided the way a lossless loader must: from the values seen,
widening an existing column rather than dropping a value that does not fit it.

Logical types: boolean, bigint, double, timestamp, string. A column that has held integers and
now gets a fraction becomes double; any other disagreement makes the column text, which every
value can be written as (staging casts it back)."""

import datetime as dt

STRING = "string"
TIMESTAMP_COLUMNS = frozenset({"received_at", "sent_at", "original_timestamp", "timestamp"})
_BIGINT_RANGE = range(-(2**63), 2**63)


# The logical type of a value by its Python class (bool before int: True is an int too).
_BY_CLASS = {bool: "boolean", float: "double", str: STRING}


def column_types(rows: list[dict]) -> dict[str, str]:
    """Each column's type over rows (the engines' readers spell any value into a text column)."""
    # Rows of one table mostly share their columns and value classes: look at each shape once.
    shapes = {(tuple(row), tuple(map(type, row.values()))) for row in rows}
    seen: dict[str, set] = {}
    for columns, classes in shapes:
        for column, cls in zip(columns, classes, strict=True):
            seen.setdefault(column, set()).add(cls)
    types = {}
    for column, classes in seen.items():
        kind = None
        for cls in classes:
            kind = merged(kind, _class_type(column, cls, rows))
        types[column] = kind or STRING
    return types


def _class_type(column: str, cls: type, rows: list[dict]) -> str | None:
    if cls is type(None):
        return None
    if cls in _BY_CLASS:
        return _BY_CLASS[cls]
    if cls is int:
        # Only an integer beyond 64 bits (rare) needs a look at every value.
        wide = any(isinstance(row.get(column), int) and row[column] not in _BIGINT_RANGE for row in rows)
        return STRING if wide else "bigint"
    if cls is dt.datetime and column in TIMESTAMP_COLUMNS:
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
