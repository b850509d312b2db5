"""Generate the raw Segment tables and their ground truth into a DuckDB file."""

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from string import Template

import duckdb

from datagen import events, governance, planted, population, truth
from datagen.governance import GOVERNANCE_TABLES
from datagen.raw_tables import TABLES, VARIANT_MACROS

# Calibrated: one person yields about this many raw rows across all tables.
ROWS_PER_PERSON = 42


@dataclass(frozen=True)
class GenerationConfig:
    """What to generate and where."""

    db_path: Path
    events: int = 100_000
    seed: int = 42
    raw_schema: str = "raw"
    truth_schema: str = "truth"
    start_at: datetime = datetime(2026, 9, 1)
    days: int = 60
    replace: bool = False
    threads: int | None = None


class GenerationError(Exception):
    """The generator cannot run with this configuration (bad value, or data it would destroy)."""


def validate(config: GenerationConfig) -> None:
    """Refuse configurations that cannot work, with a message saying why."""
    if config.events < 100:
        raise GenerationError(f"--events must be at least 100, got {config.events}")
    if config.days < 1:
        raise GenerationError(f"--days must be at least 1, got {config.days}")
    for name in (config.raw_schema, config.truth_schema):
        if not name.isidentifier():
            raise GenerationError(f"schema name {name!r} is not a plain SQL identifier")
    if config.raw_schema == config.truth_schema:
        raise GenerationError("raw and truth schemas must differ")


def _existing_tables(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = ?", [schema]
    ).fetchall()
    return [row[0] for row in rows]


def generate(config: GenerationConfig) -> dict[str, int]:
    """Write raw and truth schemas; return raw row counts per table (plus timing)."""
    validate(config)
    config.db_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    con = duckdb.connect(str(config.db_path))
    try:
        con.execute("set TimeZone = 'UTC'")
        if config.threads:
            con.execute(f"set threads = {int(config.threads)}")
        for schema in (config.raw_schema, config.truth_schema):
            if _existing_tables(con, schema) and not config.replace:
                raise GenerationError(
                    f"schema {schema!r} in {config.db_path} already has tables; "
                    "pass --replace to overwrite it"
                )
            con.execute(f"drop schema if exists {schema} cascade")
            con.execute(f"create schema {schema}")

        # Qualify schemas with the database: a file named raw.duckdb or truth.duckdb would
        # otherwise make `raw.x` ambiguous between a catalog and a schema.
        catalog = con.execute("select current_database()").fetchone()[0].replace('"', '""')
        qualified_raw = f'"{catalog}".{config.raw_schema}'
        qualified_truth = f'"{catalog}".{config.truth_schema}'
        params = {
            "seed": str(int(config.seed)),
            "persons": str(max(20, config.events // ROWS_PER_PERSON)),
            "start_at": config.start_at.strftime("%Y-%m-%d %H:%M:%S"),
            "window_seconds": str(config.days * 86_400),
            "product_count": "200",
            "truth": qualified_truth,
            "raw": qualified_raw,
        }
        steps = population.STEPS + events.STEPS + [VARIANT_MACROS, governance.CONSENT_MACROS]
        for sql in steps:
            con.execute(Template(sql).substitute(params))
        for table, select in TABLES.items():
            con.execute(f"create table {qualified_raw}.{table} as {select}")
        for table, select in GOVERNANCE_TABLES.items():
            con.execute(f"create table {qualified_raw}.{table} as {Template(select).substitute(params)}")
        con.execute(Template(truth.TRUTH).substitute(params))
        con.execute(Template(governance.TRUTH).substitute(params))

        columns = {
            table: [
                row[0]
                for row in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = ? and table_name = ?",
                    [config.raw_schema, table],
                ).fetchall()
            ]
            for table in TABLES
        }
        for sql in planted.plant_statements(qualified_raw, qualified_truth, columns):
            con.execute(sql)
        con.execute(
            f"create table {qualified_truth}.generation as select "
            f"{int(config.seed)} as seed, {config.events} as events_requested, "
            f"{params['persons']} as persons, timestamp '{params['start_at']}' as start_at, "
            f"{config.days} as window_days"
        )
        counts = {
            table: con.execute(f"select count(*) from {qualified_raw}.{table}").fetchone()[0]
            for table in [*TABLES, *GOVERNANCE_TABLES]
        }
    finally:
        con.close()
    counts["seconds"] = round(time.perf_counter() - started, 2)
    return counts
