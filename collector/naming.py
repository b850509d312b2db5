"""Segment's warehouse naming: camelCase and punctuation to snake_case, for columns and for the
table each event name gets ("Order Completed" -> order_completed)."""

import re
from functools import lru_cache

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
# PostgreSQL keeps 63 bytes of a name; the other engines allow more, so all keep 63.
MAX_NAME = 63

# Tables the loader writes itself: an event that snake-cases to one of these gets `_event` added.
LAYOUT_TABLES = frozenset(
    {
        "identifies",
        "users",
        "tracks",
        "pages",
        "screens",
        "groups",
        "aliases",
        "consent_records",
        "privacy_requests",
    }
)


@lru_cache(maxsize=65536)  # a load sees the same few hundred names millions of times
def snake_case(name: str) -> str:
    """`orderId` -> order_id, `Order Completed` -> order_completed, `2fa` -> _2fa."""
    snake = _NOT_WORD.sub("_", _CAMEL.sub("_", name).lower()).strip("_")
    if not snake:
        return "_"
    if snake[0].isdigit():
        snake = "_" + snake
    return snake[:MAX_NAME]


def event_table(event: str) -> str:
    table = snake_case(event)
    return f"{table}_event" if table in LAYOUT_TABLES else table
