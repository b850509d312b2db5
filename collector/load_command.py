"""`python -m collector load`: load the landing area into the warehouse of UPSTREAM_TARGET (the
DuckDB file at UPSTREAM_DUCKDB_PATH by default, or PostgreSQL from UPSTREAM_PG_*) and print what
it loaded."""

import os
import sys
import time

import duckdb

from collector.loader import LoadResult, load
from collector.raw_tables import RawTables
from collector.settings import SettingsError, landing_settings
from upstream_config.warehouse import raw_schema, target_name, warehouse_path


def raw_tables_for_target() -> RawTables:
    """The raw schema of the configured warehouse, opened for loading."""
    target = target_name()
    if target == "duckdb":
        from collector.raw_duckdb import DuckDBRawTables

        path = warehouse_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return DuckDBRawTables(path, raw_schema())
    if target == "postgres":
        from collector.raw_postgres import PostgresRawTables

        settings = {
            "host": os.environ.get("UPSTREAM_PG_HOST", "127.0.0.1"),
            "port": int(os.environ.get("UPSTREAM_PG_PORT", "5432")),
            "user": os.environ.get("UPSTREAM_PG_USER", "upstream"),
            "password": os.environ.get("UPSTREAM_PG_PASSWORD", ""),
            "dbname": os.environ.get("UPSTREAM_PG_DATABASE", "upstream"),
        }
        return PostgresRawTables(settings, raw_schema())
    raise SettingsError(
        f"UPSTREAM_TARGET={target}: the load step writes DuckDB or PostgreSQL; on Spark, read the "
        "landing files with Spark itself (docs/engines-and-scaling.md)"
    )


def load_landing_area() -> LoadResult:
    tables = raw_tables_for_target()
    try:
        return load(landing_settings().directory, tables)
    finally:
        tables.close()


def load_command() -> int:
    started = time.monotonic()
    try:
        result = load_landing_area()
    except SettingsError as error:
        print(f"collector load: {error}", file=sys.stderr)
        return 2
    except duckdb.IOException as error:
        # DuckDB has one writer: a dbt run or another load holds the file. Nothing was loaded.
        print(
            f"collector load: the warehouse is busy ({error}); nothing was loaded, run it again",
            file=sys.stderr,
        )
        return 75
    seconds = time.monotonic() - started
    print(
        f"loaded {result.events:,} events ({result.rows:,} rows) "
        f"from {result.files} landing files in {seconds:.1f}s"
    )
    for table, rows in sorted(result.rows_by_table.items()):
        print(f"  {raw_schema()}.{table:<24} {rows:>10,}")
    for problem in result.unreadable_lines:
        print(f"  unreadable: {problem}", file=sys.stderr)
    return 1 if result.unreadable_lines else 0
