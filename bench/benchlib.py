"""What the benchmark scripts share: where the project is, generating data, running dbt against a
warehouse, and writing new checkouts into it as a warehouse loader would."""

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
DBT = str(Path(sys.executable).parent / "dbt")


def dbt_command(args: list[str], target: Path, project: Path = ROOT) -> list[str]:
    """A quiet dbt invocation of `project` (default: this checkout); artifacts go under `target`."""
    flags = [
        "--quiet",
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--target-path",
        str(target),
    ]
    return [DBT, *args, *flags]


def dbt_env(db: Path, as_of: str | None = None) -> dict[str, str]:
    """The environment that points the project's DuckDB target at the file `db` and, when given,
    pins as_of through UPSTREAM_AS_OF (not --vars: changed vars make dbt re-parse everything)."""
    env = {**os.environ, "UPSTREAM_DUCKDB_PATH": str(db)}
    if as_of is not None:
        env["UPSTREAM_AS_OF"] = as_of
    return env


def generate_apart(db: Path, events: int, seed: int) -> float:
    """Generate `events` demo rows into `db` in a process of its own; the seconds it took. Apart,
    because a child's ru_maxrss starts from its parent's size at fork: a generator that grew this
    process would inflate every dbt peak measured after it."""
    started = time.perf_counter()
    command = [sys.executable, "-m", "datagen.cli", "--db", str(db), "--events", str(events)]
    subprocess.run([*command, "--seed", str(seed), "--replace"], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def run_dbt(args: list[str], db: Path, target: Path, as_of: str | None = None) -> float:
    """Run dbt quietly against the DuckDB file `db`; return wall seconds (raises if dbt fails)."""
    started = time.perf_counter()
    subprocess.run(dbt_command(args, target), env=dbt_env(db, as_of), check=True)
    return time.perf_counter() - started


def critical_path(target: Path) -> float:
    """The longest chain of dependent nodes, summing each node's execution time."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    nodes = json.loads((target / "manifest.json").read_text())["nodes"]
    seconds = {result["unique_id"]: result["execution_time"] for result in results}
    memo: dict[str, float] = {}

    def longest(unique_id: str) -> float:
        if unique_id not in memo:
            parents = nodes.get(unique_id, {}).get("depends_on", {}).get("nodes", [])
            memo[unique_id] = seconds[unique_id] + max(
                (longest(parent) for parent in parents if parent in seconds), default=0.0
            )
        return memo[unique_id]

    return round(max(longest(unique_id) for unique_id in seconds), 1)


@contextlib.contextmanager
def ab_folder(baseline_revision: str, prefix: str) -> Iterator[tuple[Path, Path]]:
    """A scratch folder for an A/B run and, inside it, a git worktree of the baseline revision;
    yields (folder, worktree) and removes both afterwards, whatever happened."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    worktree = folder / "baseline"
    try:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(worktree), baseline_revision],
            check=True,
            capture_output=True,
        )
        yield folder, worktree
    finally:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


def append_checkouts(db: Path, checkouts: list[tuple[str, str]]) -> None:
    """Checkout Started events as Segment's loader writes them, received now: a row in `tracks` and
    one in `checkout_started` per (anonymous_id, checkout_id), in one transaction. The scripts that
    time one dbt run use this instead of the collector (bench/latency.py sends through it), so the
    figure is the run alone. Raises duckdb.IOException while another process holds the file."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    consent = {
        f"context_consent_category_preferences_{category}": "true"
        for category in ("email_marketing", "sms_marketing", "advertising", "personalization")
    }
    with duckdb.connect(str(db)) as con:
        con.execute("begin")
        for anonymous_id, checkout_id in checkouts:
            common = {
                "id": str(uuid.uuid4()),
                "anonymous_id": anonymous_id,
                "timestamp": now,
                "received_at": now,
                "sent_at": now,
                "event": "checkout_started",
                **consent,
            }
            specific = {"checkout_id": checkout_id, "revenue": 120.0, "total": 130.0, "currency": "USD"}
            for table, row in (
                ("tracks", {**common, "event_text": "Checkout Started"}),
                ("checkout_started", {**common, **specific}),
            ):
                columns = ", ".join(f'"{name}"' for name in row)
                marks = ", ".join("?" for _ in row)
                con.execute(f"insert into raw.{table} ({columns}) values ({marks})", list(row.values()))
        con.execute("commit")
