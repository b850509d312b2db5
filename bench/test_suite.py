"""How long `make test` takes on a clean clone, install included, as CI runs it; or how long the
inner loop (`make check`) takes in this checkout, its virtual environment already installed.

    .venv/bin/python bench/test_suite.py [--revision HEAD] [--keep] [--workers N] [--write-file-seconds]
    .venv/bin/python bench/test_suite.py --target check

Clones the revision into a temporary folder, runs `CI=true make test` there, and prints the wall
time, pytest's summary line and the slowest tests (pytest's --durations, passed through
PYTEST_ADDOPTS), and how busy the cores were (from /proc/stat, so run nothing else meanwhile).
The full output, each line stamped with the seconds since the start, goes to
bench/results/<date>-test-suite.log. With --write-file-seconds, the seconds each test file took
go to tests/file_seconds.json, which sets the order files start in (longest first).
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
# Read by tests/support/file_order.py.
SECONDS_FILE = ROOT / "tests" / "file_seconds.json"
RESULTS = ROOT / "bench" / "results"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revision", default="HEAD")
    parser.add_argument("--keep", action="store_true", help="keep the clone")
    parser.add_argument("--target", choices=("test", "check"), default="test")
    parser.add_argument("--workers", type=int, help="pytest workers (the Makefile's PYTEST_WORKERS)")
    parser.add_argument("--write-file-seconds", action="store_true", help=f"update {SECONDS_FILE.name}")
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
    if args.write_file_seconds and make.returncode == 0:
        per_file = seconds_per_file("\n".join(lines))
        # pytest hides durations under 5 ms: a file it listed nothing for took about nothing.
        for path in ROOT.glob("tests/**/test_*.py"):
            per_file.setdefault(str(path.relative_to(ROOT)), 0.0)
        SECONDS_FILE.write_text(json.dumps(dict(sorted(per_file.items())), indent=1) + "\n")
        print(f"seconds of {len(per_file)} test files: {SECONDS_FILE}")
    if not args.keep:
        shutil.rmtree(clone, ignore_errors=True)
    return make.returncode


def seconds_per_file(durations_output: str) -> dict[str, float]:
    """Sum pytest's `--durations=0` lines ("12.34s call     tests/x.py::test_y") per test file."""
    totals: dict[str, float] = {}
    for match in re.finditer(r"([0-9.]+)s (?:setup|call|teardown) +(tests/[^:\s]+)", durations_output):
        seconds, path = float(match.group(1)), match.group(2)
        totals[path] = round(totals.get(path, 0.0) + seconds, 1)
    return totals


def _cpu_jiffies() -> tuple[int, int]:
    """(busy, total) CPU time of the whole machine so far, in clock ticks (/proc/stat)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return sum(fields) - idle, sum(fields)


if __name__ == "__main__":
    sys.exit(main())
