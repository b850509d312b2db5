"""What the load step needs from a warehouse, written once over a DB-API connection; the engine
files (raw_duckdb.py, raw_postgres.py) add type names and the fastest way to insert rows.

Everything a load writes (rows, new columns, the ledger) goes through one connection in one
transaction, so a crash leaves either all of a load or none of it."""

from collector.column_types import STRING, column_types, fits, merged
from collector.flat_chunks import rows_as_ndjson

LEDGER_SCHEMA = "upstream_collector"
LEDGER = f"{LEDGER_SCHEMA}.loaded_files"


class RawTables:
    """Base class: `types` maps logical types to the engine's, `insert` is the engine's."""

    types: dict[str, str]

    def __init__(self, connection, schema: str) -> None:
        self.con = connection
        self.schema = schema
        self._columns: dict[str, dict[str, str] | None] = {}

    # Transaction and ledger

    def begin(self) -> None:
        self.execute("begin")
        self.lock()

    def lock(self) -> None:
        """Keep a second loader out until this transaction ends (no-op where the engine has one writer)."""

    def commit(self) -> None:
        self.execute("commit")

    def rollback(self) -> None:
        self.execute("rollback")

    def ensure_ledger(self) -> None:
        self.execute(f"create schema if not exists {LEDGER_SCHEMA}")
        self.execute(
            f"create table if not exists {LEDGER} (file_name {self.types[STRING]} primary key, "
            f"loaded_bytes {self.types['bigint']}, loaded_rows {self.types['bigint']}, "
            f"is_closed {self.types['boolean']}, loaded_at {self.types['timestamp']})"
        )

    def loaded_offsets(self) -> dict[str, int]:
        return {
            name: offset for name, offset in self.fetchall(f"select file_name, loaded_bytes from {LEDGER}")
        }

    def record_file(self, name: str, loaded_bytes: int, events: int, is_closed: bool) -> None:
        """The file is loaded up to loaded_bytes; events adds to the events it has given so far."""
        before = self.fetchall(f"select loaded_rows from {LEDGER} where file_name = %s", [name])
        total = events + (before[0][0] if before else 0)
        self.execute(f"delete from {LEDGER} where file_name = %s", [name])
        self.execute(
            f"insert into {LEDGER} values (%s, %s, %s, %s, {self.now_sql})",
            [name, loaded_bytes, total, is_closed],
        )

    now_sql = "current_timestamp"

    # Tables and columns

    def write(self, table: str, rows: list[dict]) -> None:
        """Append rows to table, creating it or its missing columns and widening columns first."""
        needed = column_types(rows)
        self.insert_ndjson(table, self.prepare(table, needed), [rows_as_ndjson(rows)])

    def prepare(self, table: str, needed: dict[str, str]) -> dict[str, str]:
        """Make table hold every needed column; its columns' logical types afterwards."""
        existing = self.columns(table)
        if existing is None:
            definitions = ", ".join(f"{_quote(name)} {self.types[kind]}" for name, kind in needed.items())
            self.execute(f"create table {self.qualified(table)} ({definitions})")
            self._columns[table] = dict(needed)
            return self._columns[table]
        for name, kind in needed.items():
            if name not in existing:
                self.execute(
                    f"alter table {self.qualified(table)} add column {_quote(name)} {self.types[kind]}"
                )
                existing[name] = kind
            elif not fits(existing[name], kind):
                wider = merged(existing[name], kind)
                self.retype(table, name, wider)
                existing[name] = wider
        return existing

    def columns(self, table: str) -> dict[str, str] | None:
        if table not in self._columns:
            rows = self.fetchall(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = %s and table_name = %s order by ordinal_position",
                [self.schema, table],
            )
            self._columns[table] = {name: self.logical(kind) for name, kind in rows} if rows else None
        return self._columns[table]

    def qualified(self, table: str) -> str:
        return f"{_quote(self.schema)}.{_quote(table)}"

    def ensure_schema(self) -> None:
        self.execute(f"create schema if not exists {_quote(self.schema)}")

    def forget_cached_columns(self) -> None:
        """After a rollback the engine's tables are as before the transaction began."""
        self._columns.clear()

    # Segment's users table: one row per user id, updated, not appended.

    def upsert_users(self, rows: list[dict]) -> None:
        latest: dict[str, dict] = {}
        for row in sorted(rows, key=lambda row: row["received_at"] or 0):
            merged_row = latest.setdefault(row["id"], {})
            merged_row.update({key: value for key, value in row.items() if value is not None})
        self.write("users__incoming", list(latest.values()))
        columns = self.prepare("users", dict(self.columns("users__incoming") or {}))
        incoming, users = self.qualified("users__incoming"), self.qualified("users")
        picks = []
        for name in columns:
            column = _quote(name)
            if name == "id":
                picks.append(f"n.{column}")
            elif name in (self.columns("users__incoming") or {}):
                # An identify that arrived before the stored one does not overwrite it.
                picks.append(
                    f"case when o.received_at > n.received_at then coalesce(o.{column}, n.{column}) "
                    f"else coalesce(n.{column}, o.{column}) end as {column}"
                )
            else:
                picks.append(f"o.{column}")
        self.execute(
            f"create temporary table users__merged as select {', '.join(picks)} "
            f"from {incoming} as n left join {users} as o on o.id = n.id"
        )
        self.execute(f"delete from {users} where id in (select id from {incoming})")
        self.execute(
            f"insert into {users} ({', '.join(_quote(c) for c in columns)}) select * from users__merged"
        )
        self.execute("drop table users__merged")
        self.execute(f"drop table {incoming}")
        self._columns.pop("users__incoming", None)

    # Engine specifics

    def logical(self, engine_type: str) -> str:
        raise NotImplementedError

    def retype(self, table: str, column: str, kind: str) -> None:
        raise NotImplementedError

    def insert_ndjson(self, table: str, columns: dict[str, str], parts: list[bytes]) -> None:
        """Append the rows of NDJSON parts (keys a subset of columns) to table."""
        raise NotImplementedError

    def execute(self, sql: str, parameters: list | None = None) -> None:
        raise NotImplementedError

    def fetchall(self, sql: str, parameters: list | None = None) -> list[tuple]:
        raise NotImplementedError


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
