"""`make demo` as a newcomer runs it: the README's sample output is what the demo prints at the same
seed, and a busy port says which process holds it and how to pick another."""

import re
import socket
import subprocess
from pathlib import Path

import pytest

from tests.support.ports import free_port
from tests.support.warehouse import PROJECT_ROOT
from upstream_cli import demo

# Parts of a line that differ from run to run: the run's length, its id and where its log went.
VARYING = [
    (re.compile(r"succeeded in \d+ s \(Dagster run [0-9a-f]{8}\)"), "succeeded in N s (Dagster run ID)"),
    (re.compile(r"dbt's log: \S+"), "dbt's log: PATH"),
]


def _normalized(line: str) -> str:
    for pattern, replacement in VARYING:
        line = pattern.sub(replacement, line)
    return line.rstrip()


def _readme_sample() -> list[str]:
    text = (PROJECT_ROOT / "README.md").read_text()
    block = text.split("<!-- demo-output:start -->", 1)[1].split("<!-- demo-output:end -->", 1)[0]
    return [_normalized(line) for line in block.strip().strip("`").strip().splitlines()]


@pytest.fixture(scope="module")
def demo_output(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    root = tmp_path_factory.mktemp("demo")
    result = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "demo",
            f"DEMO_DB={root / 'upstream.duckdb'}",
            f"DEMO_PORT={free_port()}",
            f"DAGSTER_HOME_DIR={root / 'dagster'}",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (root / "demo-dbt.log").stat().st_size > 0, "dbt's log should go to a file next to the warehouse"
    return [_normalized(line) for line in result.stdout.splitlines()]


def test_the_readme_shows_what_the_demo_prints(demo_output: list[str]) -> None:
    sample = _readme_sample()
    assert len(sample) > 20
    position = 0
    for line in sample:
        if not line.strip():
            continue
        assert line in demo_output[position:], f"the README says {line!r}; the demo printed:\n" + "\n".join(
            demo_output
        )
        position = demo_output.index(line, position) + 1


def test_the_demo_prints_progress_not_dbt_s_log(demo_output: list[str]) -> None:
    assert not any(" START " in line or "PASS=" in line for line in demo_output)
    progress = [line for line in demo_output if line.strip().startswith("dbt build [")]
    done, total = progress[-1].split()[-2].split("/")
    assert 1 <= len(progress) <= 10 and done == total


def test_a_busy_port_names_its_holder_and_the_way_out(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UPSTREAM_WEBHOOK_SECRET", "whsec_dXBzdHJlYW0tZGVtby10ZXN0LXNlY3JldA==")
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        assert demo.main(["--port", str(port)]) == 1
    message = capsys.readouterr().err
    assert f"pid {Path('/proc/self').resolve().name}" in message
    assert f"make demo DEMO_PORT={port + 1}" in message
