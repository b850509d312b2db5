"""How many models one `dbt build` runs at once on the DuckDB warehouse.

Every DuckDB query already uses every core, and all the models of a build share one memory
limit (profiles.yml). A warehouse's first build, like a full refresh (the nightly identity
check's rebuild), is all big queries: two at once each get half the memory, spill, and both
take longer than they would one after the other (at 10M events the full build was
16 to 50 s faster with one thread in 3 of 4 interleaved rounds, and the lifetime traits and
consent statements took 17-21 s side by side against 10-15 s in turn: bench/side_by_side.py).
Later runs are small, and two at once hide dbt's per-model overhead (the +1% incremental build
was 9 s slower with one thread), so they keep profiles.yml's two.
"""

import os
from pathlib import Path

import duckdb

from upstream_config.warehouse import on_duckdb

# A table every complete build leaves behind; without it the next build is a first one.
BUILT_MARKER_TABLE = "id_graph"


def build_thread_args(warehouse: Path, full_refresh: bool = False) -> list[str]:
    """`--threads 1` for a full refresh or the first build of a DuckDB warehouse, nothing
    otherwise (and nothing when UPSTREAM_THREADS or another target is set: the user has chosen)."""
    if os.environ.get("UPSTREAM_THREADS") or not on_duckdb():
        return []
    return ["--threads", "1"] if full_refresh or not has_been_built(warehouse) else []


def has_been_built(warehouse: Path) -> bool:
    if not warehouse.exists():
        return False
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            found = con.execute(
                "select count(*) from information_schema.tables where table_name = ?", [BUILT_MARKER_TABLE]
            ).fetchone()
    except duckdb.Error:
        # Held by a writer, so it is in use: treat it as built and keep the default.
        return True
    return found[0] > 0
