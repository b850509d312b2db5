"""How long `make test` takes on a clean clone, install included, as CI runs it; or how long the
inner loop (`make check`) takes in this checkout, its virtual environment already installed.

    .venv/bin/python bench/test_suite.py [--revision HEAD] [--keep] [--workers N]
    .venv/bin/python bench/test_suite.py --target check

Clones the revision into a temporary folder, runs `CI=true make test` there, and prints the wall
time, pytest's summary line and the slowest tests (pytest's --durations, passed through
PYTEST_ADDOPTS), and how busy the cores were (from /proc/stat, so run nothing else meanwhile).
The full output, each line stamped with the seconds since the start, goes to
bench/results/<date>-test-suite.log.
"""

import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revision", default="HEAD")
    parser.add_argument("--keep", action="store_true", help="keep the clone")
    parser.add_argument("--target", choices=("test", "check"), default="test")
    parser.add_argument("--workers", type=int, help="pytest workers (the Makefile's PYTEST_WORKERS)")
    args = parser.parse_args(argv)
    if args.target == "check":
        started = time.monotonic()
        result = subprocess.run(["make", "check"], cwd=ROOT, capture_output=True, text=True, check=False)
        summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
        minutes = (time.monotonic() - started) / 60
        print(f"make check in this checkout: {minutes:.1f} min, exit {result.returncode}")
        print(summary)
        return result.returncode
    clone = Path(tempfile.mkdtemp(prefix="upstream-test-suite-"))
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "-q", args.revision], check=True)
    revision = subprocess.run(
        ["git", "-C", str(clone), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    env = {**os.environ, "CI": "true", "PYTEST_ADDOPTS": "--durations=0"}
    if args.workers:
        env["PYTEST_WORKERS"] = str(args.workers)
    busy_before, total_before = _cpu_jiffies()
    started = time.monotonic()
    stamped: list[str] = []
    with subprocess.Popen(
        ["make", "test"], cwd=clone, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as make:
        for line in make.stdout:
            stamped.append(f"{time.monotonic() - started:7.1f} {line}")
    seconds = time.monotonic() - started
    busy_after, total_after = _cpu_jiffies()
    busy_share = (busy_after - busy_before) / max(1, total_after - total_before)
    RESULTS.mkdir(parents=True, exist_ok=True)
    log = RESULTS / f"{datetime.date.today()}-test-suite.log"
    log.write_text("".join(stamped))
    lines = [line[8:].rstrip("\n") for line in stamped]
    summary = next((line for line in reversed(lines) if " in " in line and "=" in line), "")
    outcomes = re.findall(r"(\d+) (passed|failed|errors?|skipped)", summary)
    counts = {kind: int(number) for number, kind in outcomes}
    figures = {"wall_s": round(seconds), "cores_busy": round(busy_share, 2), **counts}
    print(json.dumps({"revision": revision, "exit": make.returncode, **figures}))
    print(f"make test on a clean clone of {revision}: {seconds / 60:.1f} min, exit {make.returncode}")
    print(summary)
    print(f"full output: {log}")
    if not args.keep:
        shutil.rmtree(clone, ignore_errors=True)
    return make.returncode


def _cpu_jiffies() -> tuple[int, int]:
    """(busy, total) CPU time of the whole machine so far, in clock ticks (/proc/stat)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return sum(fields) - idle, sum(fields)


if __name__ == "__main__":
    sys.exit(main())
