"""The order test files start in: longest first, from the seconds each took in the last measured
run of the whole suite (tests/file_seconds.json, written by `bench/test_suite.py
--write-file-seconds`). pytest-xdist hands whole files to its workers in collection order
(`--no-loadscope-reorder`), so with the longest ones first the short ones fill the gaps at the end
instead of one long file running alone on one core while the other core idles."""

import json
from pathlib import Path

SECONDS_FILE = Path(__file__).resolve().parents[1] / "file_seconds.json"


def measured_seconds() -> dict[str, float]:
    """Seconds per test file (path from the project root), or {} before any measurement."""
    if not SECONDS_FILE.exists():
        return {}
    return json.loads(SECONDS_FILE.read_text())


def start_order(paths: list[str], seconds: dict[str, float]) -> list[str]:
    """`paths` longest first. A file the last run did not see starts first too: it may be long,
    and a long file started last is the worst place for it."""
    unknown = float("inf")
    return sorted(paths, key=lambda path: -seconds.get(path, unknown))
