"""Row-by-row comparison of one relation as two engines return it.

Values are brought to one spelling before comparing, and only where engines legitimately
differ in how they hand a value to Python: numbers (float, Decimal, int) compare at 9
significant digits, JSON compares as parsed JSON with sorted keys, timestamps as ISO text.
Nothing is rounded beyond that, and row order does not matter (rows are sorted)."""

import datetime as dt
import json
from collections import Counter
from decimal import Decimal

# Columns that record when or by which dbt invocation something ran (wall clock), or where a
# relation lives (its database-qualified name): facts about the run, not data.
RUN_COLUMNS = frozenset(
    {"recorded_at", "invocation_id", "loaded_at", "forgotten_at", "last_run_at", "relation_name"}
)


def _number(value: float | Decimal | int) -> str:
    return f"{float(value):.9g}"


def _json_value(value):
    if isinstance(value, dict):
        return {key: _json_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_value(item) for item in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    return _number(value)


def normalize(value):
    """One engine-independent spelling of a value."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return _number(value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(_json_value(value), sort_keys=True)
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.dumps(_json_value(json.loads(value)), sort_keys=True)
        except ValueError:
            return value
    return value


def _sort_key(row: tuple) -> tuple:
    return tuple((value is None, str(value)) for value in row)


def comparable(columns: list[str], rows: list[tuple]) -> tuple[list[str], list[tuple]]:
    """Sorted, normalized rows over the data columns (lower-cased names, run columns dropped)."""
    keep = [index for index, name in enumerate(columns) if name.lower() not in RUN_COLUMNS]
    names = [columns[index].lower() for index in keep]
    order = sorted(range(len(names)), key=names.__getitem__)
    normalized = [tuple(normalize(row[keep[index]]) for index in order) for row in rows]
    return [names[index] for index in order], sorted(normalized, key=_sort_key)


Rows = tuple[list[str], list[tuple]]


def differences(relation: str, expected: Rows, actual: Rows) -> str:
    """'' when both sides hold the same rows; otherwise a short report of what differs."""
    expected_columns, expected_rows = comparable(*expected)
    actual_columns, actual_rows = comparable(*actual)
    if expected_columns != actual_columns:
        return f"{relation}: columns differ: {expected_columns} vs {actual_columns}"
    if expected_rows == actual_rows:
        return ""
    missing = list((Counter(expected_rows) - Counter(actual_rows)).elements())
    extra = list((Counter(actual_rows) - Counter(expected_rows)).elements())
    return (
        f"{relation}: {len(expected_rows)} vs {len(actual_rows)} rows; "
        f"only on DuckDB {missing[:3]}; only on the other engine {extra[:3]} (columns {expected_columns})"
    )
