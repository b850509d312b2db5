"""The CPU-heavy half of a load: landing lines -> flattened rows, grouped per raw table, with
each table's column types and its rows as NDJSON ready for the warehouse's own reader. A big load
runs this in one worker process per core on line-aligned chunks; a small one (the fast lane's
few seconds of events) in the loading process, where starting workers would cost more."""

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from collector.column_types import column_types
from collector.flatten import rows_for
from collector.landing import open_landed

# Timestamps as ISO text in UTC with a Z, which every engine's reader takes.
DUMP_OPTIONS = orjson.OPT_NAIVE_UTC | orjson.OPT_UTC_Z


@dataclass
class FlatTable:
    ndjson: bytes
    count: int
    types: dict[str, str]


@dataclass
class FlatChunk:
    tables: dict[str, FlatTable] = field(default_factory=dict)
    users: list[dict] = field(default_factory=list)  # upserted, not appended: kept as rows
    events: int = 0
    unreadable: list[str] = field(default_factory=list)


def rows_as_ndjson(rows: list[dict]) -> bytes:
    return b"\n".join(orjson.dumps(row, option=DUMP_OPTIONS) for row in rows)


def flatten_chunk(path: str, start: int, end: int, label: str) -> FlatChunk:
    """The rows of the complete lines in bytes [start, end) of the landing file at path."""
    with open_landed(Path(path)) as landed:
        landed.seek(start)
        data = landed.read(end - start)
    chunk = FlatChunk()
    by_table: dict[str, list[dict]] = defaultdict(list)
    for number, line in enumerate(data.splitlines(), start=1):
        try:
            pairs = rows_for(orjson.loads(line))
        except (orjson.JSONDecodeError, ValueError, TypeError, AttributeError) as error:
            chunk.unreadable.append(f"{label}: line {number} after byte {start}: {error}")
            continue
        for table, row in pairs:
            by_table[table].append(row)
        chunk.events += 1
    chunk.users = by_table.pop("users", [])
    for table, rows in by_table.items():
        types = column_types(rows)
        chunk.tables[table] = FlatTable(rows_as_ndjson(rows), len(rows), types)
    return chunk
