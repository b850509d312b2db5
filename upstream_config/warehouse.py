"""Which warehouse: the dbt target (UPSTREAM_TARGET) and the DuckDB file (UPSTREAM_DUCKDB_PATH),
with the defaults profiles.yml gives them (tests/project/test_layout.py holds the two to agreement)."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = ROOT / "warehouse" / "upstream.duckdb"
DEFAULT_TARGET = "duckdb"


class WarehouseMissingError(Exception):
    """The configured warehouse file does not exist; the message names the path tried."""


def target_name() -> str:
    """The profiles.yml target every dbt run uses: duckdb, postgres or spark."""
    return os.environ.get("UPSTREAM_TARGET", DEFAULT_TARGET)


def on_duckdb() -> bool:
    """True when the warehouse is the embedded DuckDB file (one writer at a time)."""
    return target_name() == "duckdb"


def raw_schema() -> str:
    """The schema raw event tables live in (keep UPSTREAM_RAW_SCHEMA equal to dbt's var
    upstream__raw_schema): the collector's load step writes it, the new-data sensor watches it."""
    return os.environ.get("UPSTREAM_RAW_SCHEMA", "raw")


def warehouse_path() -> Path:
    """The DuckDB file every job reads and writes."""
    return Path(os.environ.get("UPSTREAM_DUCKDB_PATH", DEFAULT_PATH))


def existing_warehouse() -> Path:
    """The warehouse path, refusing one that does not exist: opening it would create an empty
    warehouse, and a mistyped path would then report zeros instead of an error."""
    path = warehouse_path()
    if not path.is_file():
        raise WarehouseMissingError(
            f"no warehouse at {path.resolve()} (UPSTREAM_DUCKDB_PATH="
            f"{os.environ.get('UPSTREAM_DUCKDB_PATH', '<unset>')}); build it first (make demo, "
            "or dbt build) or point UPSTREAM_DUCKDB_PATH at an existing file"
        )
    return path
