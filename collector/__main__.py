"""Command line: `python -m collector serve [--host H] [--port P] [--workers N]` runs the
Tracking API; `python -m collector load` moves every landing file line written before it started
into the warehouse (UPSTREAM_DUCKDB_PATH, or the UPSTREAM_TARGET warehouse)."""

import argparse
import sys

from collector.settings import DEFAULT_HOST, DEFAULT_PORT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m collector", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the Segment-compatible Tracking API")
    serve.add_argument("--host", default=DEFAULT_HOST)
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--workers", type=int, default=None, help="processes (default: one per core)")
    commands.add_parser("load", help="load landing files into the raw schema, exactly once")
    args = parser.parse_args(argv)
    if args.command == "serve":
        from collector.server import serve as run_server

        return run_server(args.host, args.port, args.workers)
    from collector.load_command import load_command

    return load_command()


if __name__ == "__main__":
    sys.exit(main())
