"""Split generated raw tables into two load phases, so a parity suite can run a full build on
the first and an incremental build after the second arrives.

A row belongs to phase 2 when its arrival time (received_at, or the governance tables'
recorded_at / requested_at) is after the cutoff; rows whose time does not parse stay in phase 1,
so the planted bad rows reach the first build's quarantine."""

from dataclasses import dataclass
from pathlib import Path

import duckdb

ARRIVAL_COLUMNS = ("received_at", "recorded_at", "requested_at")
PHASES = (1, 2)


@dataclass(frozen=True)
class RawTable:
    name: str
    columns: tuple[tuple[str, str], ...]  # (column, DuckDB type) in load order

    def csv_path(self, folder: Path, phase: int) -> Path:
        return folder / f"{self.name}.{phase}.csv"

    def parquet_path(self, folder: Path, phase: int) -> Path:
        return folder / f"{self.name}.{phase}.parquet"


def export_phases(source_db: Path, folder: Path, cutoff: str, schema: str = "raw") -> list[RawTable]:
    """Write every table of `schema` as CSV and Parquet per phase into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = []
    with duckdb.connect(str(source_db), read_only=True) as con:
        con.execute("set TimeZone = 'UTC'")
        names = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = ? order by 1",
                [schema],
            ).fetchall()
        ]
        for name in names:
            columns = tuple(
                con.execute(
                    "select column_name, data_type from information_schema.columns"
                    " where table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, name],
                ).fetchall()
            )
            arrival = next(column for column, _ in columns if column in ARRIVAL_COLUMNS)
            table = RawTable(name, columns)
            late = f"coalesce(try_cast(\"{arrival}\" as timestamptz) > timestamptz '{cutoff}+00', false)"
            for phase in PHASES:
                rows = f"select * from {schema}.{name} where {late} = {'true' if phase == 2 else 'false'}"
                con.execute(f"copy ({rows}) to '{table.csv_path(folder, phase)}' (header, format csv)")
                con.execute(f"copy ({rows}) to '{table.parquet_path(folder, phase)}' (format parquet)")
            tables.append(table)
    return tables
