"""Reverse-ETL command line: python -m reverse_etl [--config FILE] COMMAND.

Commands: list | plan SYNC | run SYNC [--force] [--full-resync] | resolve SYNC --as sent|unsent |
requeue SYNC | runs | status.

The sync file is --config, else UPSTREAM_SYNC_CONFIG, else reverse_etl/syncs.yml. The warehouse
is UPSTREAM_DUCKDB_PATH (default warehouse/upstream.duckdb) and must exist. Exit 0
when a run completed: every row it sent got the channel's verdict, even if some were rejections
(reported, and retried next run); 1 when the run failed, was refused, or ended incomplete (rows
the channel never answered stay pending; the summary line says why), or could not start (a
missing or malformed secret, no warehouse at the path); 2 for a bad command line or sync file.
"""

import argparse
import sys
from pathlib import Path

import duckdb

from reverse_etl import config, history, ledger, logs, plan, resolve, runner
from reverse_etl.delivery import FatalError
from reverse_etl.destinations import TYPES, build
from upstream_config.warehouse import WarehouseMissingError, existing_warehouse


def _progress(done: int, total: int) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _print_table(rows: list[tuple], header: list[str]) -> None:
    print("  ".join(header))
    for row in rows:
        print("  ".join("" if value is None else str(value) for value in row))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reverse_etl", description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=config.config_path())
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="the syncs in the file")
    plan_parser = commands.add_parser("plan", help="dry run: counts and samples, nothing sent")
    plan_parser.add_argument("sync")
    plan_parser.add_argument("--full-resync", action="store_true")
    run_parser = commands.add_parser("run", help="send the plan")
    run_parser.add_argument("sync")
    run_parser.add_argument("--force", action="store_true", help="override the max-remove guard")
    run_parser.add_argument(
        "--full-resync", action="store_true", help="re-send everything the channel should hold"
    )
    resolve_parser = commands.add_parser("resolve", help="settle rows left in flight (an SMS with no answer)")
    resolve_parser.add_argument("sync")
    resolve_parser.add_argument("--as", dest="outcome", choices=["sent", "unsent"], required=True)
    resolve_parser.add_argument("--key", action="append", help="only these keys (repeatable)")
    requeue_parser = commands.add_parser("requeue", help="send dead rows (rejected max_attempts times) again")
    requeue_parser.add_argument("sync")
    requeue_parser.add_argument("--key", action="append", help="only these keys (repeatable)")
    commands.add_parser("runs", help="run history")
    commands.add_parser("status", help="per sync: confirmed, pending, rejected, dead, in flight")
    args = parser.parse_args(argv)
    logs.configure()

    try:
        syncs = config.load(args.config, TYPES)
    except config.ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.command == "list":
        for sync in syncs.values():
            print(f"{sync.name}: {sync.source} -> {sync.destination.type} ({sync.mode}, key {sync.key})")
        return 0
    if getattr(args, "sync", None) and args.sync not in syncs:
        print(
            f"error: no sync named {args.sync} in {args.config} (known: {', '.join(syncs)})", file=sys.stderr
        )
        return 2

    try:
        destination = build(syncs[args.sync]) if args.command == "run" else None
        path = str(existing_warehouse())
    except (config.ConfigError, WarehouseMissingError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    try:
        con = ledger.connect(path)
    except duckdb.IOException as error:
        print(
            f"error: cannot open the warehouse {path}: {error} (is dbt or another sync writing it?)",
            file=sys.stderr,
        )
        return 1
    try:
        if args.command == "plan":
            counts = plan.compute(con, syncs[args.sync], args.full_resync)
            print(
                f"sync {args.sync}: +{counts.adds} add, ~{counts.updates} update, -{counts.removes} remove "
                f"({counts.desired} desired, {counts.confirmed} confirmed); nothing sent"
            )
            for op in ("add", "update", "remove"):
                sample = con.execute(
                    "select record_key from planned where op = ? order by 1 limit 5", [op]
                ).fetchall()
                if sample:
                    print(f"  {op}: {', '.join(row[0] for row in sample)}")
            return 0
        if args.command == "run":
            sync = syncs[args.sync]
            run = runner.SyncRun(con, sync, destination, _progress if sys.stderr.isatty() else None)
            summary = run.execute(force=args.force, full_resync=args.full_resync)
            print(summary.line())
            for key, reason in list(summary.rejections.items())[:10]:
                print(f"  rejected {key}: {reason}")
            return 0 if summary.status == "completed" else 1
        if args.command == "resolve":
            count = resolve.resolve(con, args.sync, args.outcome, args.key)
            print(f"sync {args.sync}: {count} in-flight rows settled as {args.outcome}")
            return 0
        if args.command == "requeue":
            count = resolve.requeue(con, args.sync, args.key)
            print(f"sync {args.sync}: {count} dead rows requeued; the next run sends them")
            return 0
        if args.command == "runs":
            _print_table(history.runs(con), history.RUN_COLUMNS)
            return 0
        _print_table(history.status(con, list(syncs)), history.STATUS_COLUMNS)
        return 0
    except (plan.PlanError, runner.RunRefusedError, FatalError, config.ConfigError, duckdb.Error) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        con.close()


if __name__ == "__main__":
    sys.exit(main())
