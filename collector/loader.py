"""Landing files -> raw tables, exactly once.

The ledger (upstream_collector.loaded_files) holds, per landing file, how many of its bytes are
loaded; it is written in the same transaction as the rows, so after a crash a file is either
loaded up to its recorded length or not at all. A load reads closed files whole and open ones up
to their last complete line (so it takes every event acknowledged before it started, collector
running or not), and deletes a closed file once its rows are committed: the landing area holds
personal data and is not a second warehouse."""

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from collector.column_types import merged
from collector.flat_chunks import FlatChunk, flatten_chunk
from collector.landing import CLOSED_SUFFIX, OPEN_SUFFIX, close_orphans, complete_length, open_landed
from collector.raw_tables import RawTables

# A load commits every this many bytes of landing files, so memory stays bounded on a backlog.
CHUNK_BYTES = 128 * 1024 * 1024
# Below this many bytes a load flattens in its own process; above, in one worker per core, each
# taking pieces of this size.
PARALLEL_BYTES = 16 * 1024 * 1024
CHUNK_FLATTEN_BYTES = 8 * 1024 * 1024


@dataclass
class LoadResult:
    files: int = 0
    rows_by_table: dict[str, int] = field(default_factory=dict)
    events: int = 0
    unreadable_lines: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(self.rows_by_table.values())


@dataclass(frozen=True)
class _Slice:
    path: Path
    name: str
    start: int
    end: int
    is_closed: bool


def pending_files(directory: Path) -> list[Path]:
    """Closed landing files, oldest first (what the sensor watches)."""
    return sorted(directory.glob(f"*{CLOSED_SUFFIX}")) if directory.is_dir() else []


def load(directory: Path, tables: RawTables) -> LoadResult:
    """Load into `tables`' schema every line landed before this call."""
    result = LoadResult()
    close_orphans(directory)
    tables.ensure_schema()
    tables.ensure_ledger()
    # Only what was landed at the start: under steady traffic an open file never stops growing.
    targets = _landed_lengths(directory)
    while True:
        tables.begin()
        try:
            slices = _next_slices(directory, targets, tables.loaded_offsets())
            if not slices:
                tables.rollback()
                break
            _load_slices(slices, tables, result)
            tables.commit()
        except BaseException:
            tables.rollback()
            tables.forget_cached_columns()
            raise
    _remove_fully_loaded_closed(directory, tables)
    return result


def _landed_lengths(directory: Path) -> dict[str, int]:
    """Each landing file's name (without suffix) and the length of its complete lines now."""
    lengths = {}
    for name in _names(directory):
        path = _resolve(directory, name)
        if path is not None:
            lengths[name] = _complete_length(path)
    return lengths


def _names(directory: Path) -> list[str]:
    if not directory.is_dir():
        return []
    names = set()
    for path in directory.iterdir():
        for suffix in (CLOSED_SUFFIX, OPEN_SUFFIX):
            if path.name.endswith(suffix) and not path.name.startswith("."):
                names.add(path.name.removesuffix(suffix))
    return sorted(names)


def _resolve(directory: Path, name: str) -> Path | None:
    """The file `name` under its closed name, else its open one (a writer may rename it between)."""
    for suffix in (CLOSED_SUFFIX, OPEN_SUFFIX, CLOSED_SUFFIX):
        path = directory / f"{name}{suffix}"
        if path.exists():
            return path
    return None


def _complete_length(path: Path) -> int:
    try:
        with open_landed(path) as landed:
            return complete_length(landed.fileno())
    except FileNotFoundError:
        return 0


def _next_slices(directory: Path, targets: dict[str, int], offsets: dict[str, int]) -> list[_Slice]:
    slices, budget = [], CHUNK_BYTES
    for name, target in targets.items():
        start = offsets.get(name, 0)
        if target <= start:
            continue
        path = _resolve(directory, name)
        if path is None:
            continue
        slices.append(
            _Slice(path, name, start, min(target, start + budget), path.name.endswith(CLOSED_SUFFIX))
        )
        budget -= slices[-1].end - start
        if budget < 64 * 1024:  # more than one event's worth, so every slice holds a whole line
            break
    return slices


def _load_slices(slices: list[_Slice], tables: RawTables, result: LoadResult) -> None:
    pieces = []
    for piece in slices:
        end = _last_line_end(piece)  # a budget cut may end mid-line
        pieces.append((piece, end))
    chunks = _flatten(pieces)
    for piece, end in pieces:
        events = sum(chunk.events for chunk in chunks[piece.name])
        result.events += events
        tables.record_file(piece.name, end, events, piece.is_closed)
    everything = [chunk for per_file in chunks.values() for chunk in per_file]
    for chunk in everything:
        result.unreadable_lines += chunk.unreadable
    for table in sorted({name for chunk in everything for name in chunk.tables}):
        parts = [chunk.tables[table] for chunk in everything if table in chunk.tables]
        types: dict[str, str] = {}
        for part in parts:
            for column, kind in part.types.items():
                types[column] = merged(types.get(column), kind)
        tables.insert_ndjson(table, tables.prepare(table, types), [part.ndjson for part in parts])
        result.rows_by_table[table] = result.rows_by_table.get(table, 0) + sum(part.count for part in parts)
    users = [row for chunk in everything for row in chunk.users]
    if users:
        tables.upsert_users(users)
        result.rows_by_table["users"] = result.rows_by_table.get("users", 0) + len(users)
    result.files += len(slices)


def _flatten(pieces: list[tuple[_Slice, int]]) -> dict[str, list[FlatChunk]]:
    """Each file's lines flattened, in worker processes when there are enough of them."""
    work = []
    for piece, end in pieces:
        for start, stop in _line_aligned_chunks(piece.path, piece.start, end):
            work.append((piece.name, (str(piece.path), start, stop, piece.name)))
    total = sum(end - piece.start for piece, end in pieces)
    chunks: dict[str, list[FlatChunk]] = {piece.name: [] for piece, _ in pieces}
    if total < PARALLEL_BYTES or (os.cpu_count() or 1) < 2:
        for name, arguments in work:
            chunks[name].append(flatten_chunk(*arguments))
        return chunks
    # Spawned, not forked: the loading process may hold a warehouse connection and threads.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=os.cpu_count(), mp_context=context) as pool:
        for (name, _), chunk in zip(
            work, pool.map(flatten_chunk, *zip(*(a for _, a in work), strict=True)), strict=True
        ):
            chunks[name].append(chunk)
    return chunks


def _line_aligned_chunks(path: Path, start: int, end: int) -> list[tuple[int, int]]:
    """[start, end) cut into pieces of about CHUNK_FLATTEN_BYTES that each end at a newline."""
    bounds, position = [], start
    with open_landed(path) as landed:
        while position < end:
            cut = min(end, position + CHUNK_FLATTEN_BYTES)
            if cut < end:
                landed.seek(cut)
                tail = landed.read(64 * 1024)
                newline = tail.find(b"\n")
                cut = end if newline < 0 else min(end, cut + newline + 1)
            bounds.append((position, cut))
            position = cut
    return bounds


def _last_line_end(piece: _Slice) -> int:
    with open_landed(piece.path) as landed:
        landed.seek(piece.start)
        data = landed.read(piece.end - piece.start)
    return piece.start + data.rfind(b"\n") + 1


def _remove_fully_loaded_closed(directory: Path, tables: RawTables) -> None:
    """Closed files a crash left behind after their rows were committed."""
    offsets = tables.loaded_offsets()
    for path in pending_files(directory):
        name = path.name.removesuffix(CLOSED_SUFFIX)
        if name in offsets and _complete_length(path) <= offsets[name]:
            path.unlink(missing_ok=True)
