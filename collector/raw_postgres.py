"""The load step's PostgreSQL side: rows go in with COPY, and a transaction-scoped advisory lock
keeps two loaders (the Dagster asset and a hand-run `load`) from loading a file twice."""

import csv
import io

import orjson
import psycopg2

from collector.raw_tables import RawTables

TYPES = {
    "string": "text",
    "bigint": "bigint",
    "double": "double precision",
    "boolean": "boolean",
    "timestamp": "timestamp",
}
LOGICAL = {value: key for key, value in TYPES.items()} | {
    "character varying": "string",
    "integer": "bigint",
    "smallint": "bigint",
    "numeric": "double",
    "real": "double",
    "timestamp without time zone": "timestamp",
}


class PostgresRawTables(RawTables):
    types = TYPES

    def __init__(self, connection_settings: dict[str, str], schema: str) -> None:
        super().__init__(psycopg2.connect(**connection_settings), schema)
        self.con.autocommit = True  # transactions are begun and ended explicitly
        self._cursor = self.con.cursor()
        self._cursor.execute("set time zone 'UTC'")

    def close(self) -> None:
        self.con.close()

    def lock(self) -> None:
        self._cursor.execute("select pg_advisory_xact_lock(hashtext('upstream_collector.load'))")

    def execute(self, sql: str, parameters: list | None = None) -> None:
        self._cursor.execute(sql, parameters)

    def fetchall(self, sql: str, parameters: list | None = None) -> list[tuple]:
        self._cursor.execute(sql, parameters)
        return self._cursor.fetchall()

    def logical(self, engine_type: str) -> str:
        return LOGICAL.get(engine_type, "other")

    def retype(self, table: str, column: str, kind: str) -> None:
        self.execute(
            f'alter table {self.qualified(table)} alter column "{column}" type {TYPES[kind]} '
            f'using "{column}"::{TYPES[kind]}'
        )

    def insert_ndjson(self, table: str, columns: dict[str, str], parts: list[bytes]) -> None:
        rows = [orjson.loads(line) for part in parts for line in part.splitlines()]
        names = [name for name in columns if any(name in row for row in rows)]
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in rows:
            writer.writerow([_csv_value(row.get(name)) for name in names])
        buffer.seek(0)
        quoted = ", ".join(f'"{name}"' for name in names)
        self._cursor.copy_expert(
            f"copy {self.qualified(table)} ({quoted}) from stdin with (format csv, null '\\N')", buffer
        )


def _csv_value(value: object) -> object:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "true" if value else "false"
    return value
