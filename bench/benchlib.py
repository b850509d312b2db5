"""What the benchmark scripts share: where the project is, and running dbt against a warehouse."""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DBT = str(Path(sys.executable).parent / "dbt")


def run_dbt(args: list[str], db: Path, target: Path) -> float:
    """Run dbt quietly against the DuckDB file `db`; return wall seconds (raises if dbt fails)."""
    started = time.perf_counter()
    subprocess.run(
        [
            DBT,
            *args,
            "--quiet",
            "--project-dir",
            str(ROOT),
            "--profiles-dir",
            str(ROOT),
            "--target-path",
            str(target),
        ],
        env={**os.environ, "UPSTREAM_DUCKDB_PATH": str(db)},
        check=True,
    )
    return time.perf_counter() - started
