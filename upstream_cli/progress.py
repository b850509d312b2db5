"""A compact progress display for dbt's log lines: the full log goes to a file, the terminal shows
one line that counts the nodes dbt has finished."""

import re
from typing import TextIO

# dbt's per-node result line: "12 of 225 OK created sql table model main.profiles ... [OK in 0.3s]".
RESULT = re.compile(r"^\s*(\d+) of (\d+) (OK|PASS|ERROR|FAIL|WARN|SKIP|NO-OP)\b")
FAILED = ("ERROR", "FAIL")


class DbtProgress:
    """A file-like stdout for dagster-dbt: every line to `log`, a progress line to `terminal`
    (redrawn in place on a terminal, one line per quarter otherwise)."""

    def __init__(self, log: TextIO, terminal: TextIO) -> None:
        self.log = log
        self.terminal = terminal
        self.pending = ""
        self.done = 0
        self.failed = 0
        self.total = 0
        self.quarters_shown = 0

    def write(self, text: str) -> int:
        self.log.write(text)
        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        for line in lines:
            self._count(line)
        return len(text)

    def flush(self) -> None:
        self.log.flush()

    def isatty(self) -> bool:
        return False

    def _count(self, line: str) -> None:
        match = RESULT.match(re.sub(r"\x1b\[[0-9;]*m", "", line))
        if not match or " hook: " in line:  # the on-run-start hook has a count of its own
            return
        self.done += 1
        self.total = int(match.group(2))
        self.failed += match.group(3) in FAILED
        self._show()

    def _show(self) -> None:
        width = 30
        filled = width * self.done // max(self.total, 1)
        failures = f", {self.failed} failed" if self.failed else ""
        bar = "#" * filled + "." * (width - filled)
        text = f"  dbt build [{bar}] {self.done}/{self.total} nodes{failures}"
        if self.terminal.isatty():
            self.terminal.write("\r" + text)
            if self.done >= self.total:
                self.terminal.write("\n")
        else:
            quarter = 4 * self.done // max(self.total, 1)
            if quarter <= self.quarters_shown:
                return
            self.quarters_shown = quarter
            self.terminal.write(text + "\n")
        self.terminal.flush()
