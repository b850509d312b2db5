"""The load step's DuckDB side: rows go in through DuckDB's own JSON reader (one file of
flattened rows per table and load), which is far faster than inserting them from Python."""

import os
import tempfile
from pathlib import Path

import duckdb

from collector.raw_tables import RawTables

TYPES = {
    "string": "VARCHAR",
    "bigint": "BIGINT",
    "double": "DOUBLE",
    "boolean": "BOOLEAN",
    "timestamp": "TIMESTAMP",
}
LOGICAL = {value: key for key, value in TYPES.items()} | {
    "INTEGER": "bigint",
    "HUGEINT": "bigint",
    "FLOAT": "double",
}


class DuckDBRawTables(RawTables):
    types = TYPES

    def __init__(self, path: Path, schema: str) -> None:
        super().__init__(duckdb.connect(str(path)), schema)
        self.con.execute("set TimeZone = 'UTC'")
        self._scratch = Path(tempfile.mkdtemp(prefix="upstream-load-"))

    def close(self) -> None:
        self.con.close()
        for leftover in self._scratch.iterdir():
            leftover.unlink()
        self._scratch.rmdir()

    def execute(self, sql: str, parameters: list | None = None) -> None:
        self.con.execute(sql.replace("%s", "?"), parameters or [])

    def fetchall(self, sql: str, parameters: list | None = None) -> list[tuple]:
        return self.con.execute(sql.replace("%s", "?"), parameters or []).fetchall()

    def logical(self, engine_type: str) -> str:
        if engine_type.startswith("DECIMAL"):
            return "double"
        return LOGICAL.get(engine_type, "string" if engine_type == "VARCHAR" else "other")

    def retype(self, table: str, column: str, kind: str) -> None:
        self.execute(f'alter table {self.qualified(table)} alter column "{column}" type {TYPES[kind]}')

    def insert_ndjson(self, table: str, columns: dict[str, str], parts: list[bytes]) -> None:
        files = []
        for number, part in enumerate(parts):
            path = self._scratch / f"{table}.{number}.ndjson"
            path.write_bytes(part)
            files.append(f"'{path}'")
        # Every column the table has: a key a row lacks reads as NULL.
        spec = ", ".join(f"'{name}': '{TYPES.get(kind, 'VARCHAR')}'" for name, kind in columns.items())
        names = ", ".join(f'"{name}"' for name in columns)
        self.execute(
            f"insert into {self.qualified(table)} ({names}) select {names} from read_json("
            f"[{', '.join(files)}], format = 'newline_delimited', columns = {{{spec}}})"
        )
        for path in files:
            os.unlink(path.strip("'"))
