"""The PostgreSQL side of the parity suite: a database of its own, raw tables loaded with COPY,
public models read back for comparison. Connection settings are the dbt profile's env vars."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg2

from tests.support.parity.raw_phases import RawTable

# DuckDB type of a raw column -> PostgreSQL type (DECIMAL(p,s) keeps its precision as numeric).
TYPES = {"VARCHAR": "text", "DOUBLE": "double precision", "BIGINT": "bigint", "BOOLEAN": "boolean"}


def connection_env(database: str) -> dict[str, str]:
    """The env vars that point the dbt `postgres` target (and this module) at `database`."""
    return {
        "UPSTREAM_TARGET": "postgres",
        "UPSTREAM_PG_HOST": os.environ.get("UPSTREAM_PG_HOST", "127.0.0.1"),
        "UPSTREAM_PG_PORT": os.environ.get("UPSTREAM_PG_PORT", "5432"),
        "UPSTREAM_PG_USER": os.environ.get("UPSTREAM_PG_USER", "upstream"),
        "UPSTREAM_PG_PASSWORD": os.environ.get("UPSTREAM_PG_PASSWORD", "upstream"),
        "UPSTREAM_PG_DATABASE": database,
    }


@contextmanager
def connect(database: str) -> Iterator:
    env = connection_env(database)
    con = psycopg2.connect(
        host=env["UPSTREAM_PG_HOST"],
        port=int(env["UPSTREAM_PG_PORT"]),
        user=env["UPSTREAM_PG_USER"],
        password=env["UPSTREAM_PG_PASSWORD"],
        dbname=database,
    )
    try:
        yield con
    finally:
        con.close()


def recreate_database(database: str) -> None:
    with connect("postgres") as con:
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute(f'drop database if exists "{database}" with (force)')
            cur.execute(f'create database "{database}"')


def drop_database(database: str) -> None:
    with connect("postgres") as con:
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute(f'drop database if exists "{database}" with (force)')


def _pg_type(duckdb_type: str) -> str:
    if duckdb_type.startswith("DECIMAL"):
        return duckdb_type.replace("DECIMAL", "numeric")
    return TYPES[duckdb_type]


def load_phase(database: str, tables: list[RawTable], folder: Path, phase: int, schema: str = "raw") -> None:
    """Append one phase of every raw table (created on first use) in one transaction."""
    with connect(database) as con, con.cursor() as cur:
        cur.execute(f"create schema if not exists {schema}")
        for table in tables:
            columns = ", ".join(f'"{name}" {_pg_type(kind)}' for name, kind in table.columns)
            cur.execute(f"create table if not exists {schema}.{table.name} ({columns})")
            with table.csv_path(folder, phase).open() as csv:
                cur.copy_expert(f"copy {schema}.{table.name} from stdin with (format csv, header)", csv)
        con.commit()


def read_schema(database: str, schema: str) -> dict[str, tuple[list[str], list[tuple]]]:
    """Column names and rows of every table and view in `schema`."""
    with connect(database) as con, con.cursor() as cur:
        cur.execute("select table_name from information_schema.tables where table_schema = %s", [schema])
        names = [name for (name,) in cur.fetchall()]
        result = {}
        for name in names:
            cur.execute(f'select * from {schema}."{name}"')
            result[name] = ([column.name for column in cur.description], cur.fetchall())
        return result
