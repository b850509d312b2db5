"""The DuckDB side of the parity suite: the same phased raw tables, loaded into a DuckDB file."""

from pathlib import Path

import duckdb

from tests.support.parity.raw_phases import RawTable


def load_phase(db_path: Path, tables: list[RawTable], folder: Path, phase: int, schema: str = "raw") -> None:
    """Append one phase of every raw table (created with the generator's types on first use)."""
    with duckdb.connect(str(db_path)) as con:
        con.execute(f"create schema if not exists {schema}")
        for table in tables:
            columns = ", ".join(f'"{name}" {kind}' for name, kind in table.columns)
            con.execute(f"create table if not exists {schema}.{table.name} ({columns})")
            parquet = table.parquet_path(folder, phase)
            con.execute(f"insert into {schema}.{table.name} select * from '{parquet}'")


def read_table(db_path: Path, relation: str) -> tuple[list[str], list[tuple]]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        cursor = con.execute(f"select * from {relation}")
        return [column[0] for column in cursor.description], cursor.fetchall()


def read_schema(db_path: Path, schema: str) -> dict[str, tuple[list[str], list[tuple]]]:
    """Column names and rows of every table in `schema`."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        names = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = ?", [schema]
            ).fetchall()
        ]
        result = {}
        for name in names:
            cursor = con.execute(f'select * from {schema}."{name}"')
            result[name] = ([column[0] for column in cursor.description], cursor.fetchall())
        return result
