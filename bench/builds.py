"""Full and incremental `dbt build` timings on one generated data set.

The data set is generated once per size, then split by arrival time: the last 1% of rows to
arrive (received_at / recorded_at / requested_at) moves to schema `incoming`. Each run copies that
warehouse, runs a full build as of the cut, appends `incoming` to the raw tables, and runs the
same `dbt build` again as of the end of the window: the incremental build a scheduled run makes.
Data tests are excluded from both (they are timed apart by `make dbt-test`); dbt's start-up
(parse, connection, on-run-start hook) is included.
"""

import datetime as dt
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
from benchlib import ROOT, dbt_command, dbt_env, generate_apart

from datagen.generate import GenerationConfig
from orchestration.build_threads import build_thread_args

ARRIVAL_COLUMNS = ("received_at", "recorded_at", "requested_at")
NEW_SHARE = 0.01
BUILD = ["build", "--exclude-resource-type", "test", "unit_test"]


@dataclass(frozen=True)
class Prepared:
    template: Path  # generated warehouse without its newest 1% of rows (they wait in `incoming`)
    events: int  # raw rows in the template
    new_events: int  # raw rows in `incoming`
    cut_at: str  # as_of of the full build: the arrival time of the newest row it holds
    end_at: str  # as_of of the incremental build: the end of the generated window
    generate_s: float


def prepare(events: int, seed: int, folder: Path) -> Prepared:
    """Generate events / (1 - NEW_SHARE) rows, so the full build sees `events` of them."""
    template = folder / "template.duckdb"
    config = GenerationConfig(db_path=template, events=round(events / (1 - NEW_SHARE)), seed=seed)
    generate_s = generate_apart(template, config.events, seed)
    with duckdb.connect(str(template)) as con:
        con.execute("set TimeZone = 'UTC'")
        arrival = {
            table: column
            for table, column in con.execute(
                "select table_name, column_name from information_schema.columns "
                "where table_schema = 'raw' and column_name in ?",
                [list(ARRIVAL_COLUMNS)],
            ).fetchall()
        }
        times = " union all ".join(
            f'select try_cast("{column}" as timestamptz) as arrived from raw."{table}"'
            for table, column in arrival.items()
        )
        cut = con.execute(f"select quantile_disc(arrived, {1 - NEW_SHARE}) from ({times})").fetchone()[0]
        cut_text = cut.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        con.execute("create schema incoming")
        new_rows = 0
        for table, column in arrival.items():
            late = f"coalesce(try_cast(\"{column}\" as timestamptz) > timestamptz '{cut_text}+00', false)"
            con.execute(f'create table incoming."{table}" as select * from raw."{table}" where {late}')
            new_rows += con.execute(f'select count(*) from incoming."{table}"').fetchone()[0]
            con.execute(f'delete from raw."{table}" where {late}')
        kept = sum(con.execute(f'select count(*) from raw."{table}"').fetchone()[0] for table in arrival)
        con.execute("checkpoint")
    end = config.start_at + dt.timedelta(days=config.days)
    return Prepared(
        template, kept, new_rows, cut_text, end.strftime("%Y-%m-%d %H:%M:%S"), round(generate_s, 1)
    )


def timed_dbt(
    args: list[str], db: Path, target: Path, as_of: str | None = None, project: Path = ROOT
) -> dict:
    """One dbt invocation: wall seconds, peak RSS (os.wait4 of the dbt process) and slowest models."""
    if args[0] == "build":
        args = [*args, *build_thread_args(db)]  # as the Dagster job runs it
    started = time.perf_counter()
    process = subprocess.Popen(dbt_command(args, target, project), env=dbt_env(db, as_of), cwd=target.parent)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"dbt {' '.join(args)} failed (logs in {target.parent / 'logs'})")
    results = json.loads((target / "run_results.json").read_text())
    nodes = sorted(results["results"], key=lambda r: r["execution_time"], reverse=True)
    return {
        "seconds": round(seconds, 1),
        # Time outside the nodes: start-up (parse, connect, hooks) and shut-down.
        "outside_nodes_s": round(seconds - results["elapsed_time"], 1),
        "peak_rss_gib": round(usage.ru_maxrss / 2**20, 2),
        "slowest": {r["unique_id"].split(".")[-1]: round(r["execution_time"], 1) for r in nodes[:8]},
    }


def append_incoming(db: Path) -> None:
    with duckdb.connect(str(db)) as con:
        for (table,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'incoming'"
        ).fetchall():
            con.execute(f'insert into raw."{table}" by name select * from incoming."{table}"')
        con.execute("drop schema incoming cascade")


def full_and_incremental(prepared: Prepared, folder: Path) -> tuple[dict, dict, Path]:
    """One full build and the incremental build after it; returns both and the warehouse."""
    db = folder / "warehouse.duckdb"
    shutil.copy(prepared.template, db)
    target = folder / "target"  # shared by both builds: the second one parses partially
    full = timed_dbt(BUILD, db, target, as_of=prepared.cut_at)
    append_incoming(db)
    incremental = timed_dbt(BUILD, db, target, as_of=prepared.end_at)
    return full, incremental, db
