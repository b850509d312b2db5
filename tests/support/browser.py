"""Headless Chromium for the UI test: Debian's `chromium`, installed by the test setup if missing."""

import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # this machine's network is closed: no calls home
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1600,1000",
    "--virtual-time-budget=20000",  # let the React app fetch and render before the dump
]


def chromium() -> str:
    """Path of a Chromium binary; Debian's package is installed when there is none (`make test`
    does it first; a test run alone does it here, under the same lock as every other install)."""
    found = shutil.which("chromium")
    if found:
        return found
    subprocess.run([str(SCRIPTS / "apt-install.sh"), "chromium", "chromium"], check=False)
    found = shutil.which("chromium")
    if not found:
        pytest.fail("Chromium is needed for the UI test and `apt-get install chromium` did not provide it")
    return found


def render(url: str, profile_dir: Path, screenshot: Path | None = None) -> str:
    """The page's DOM after it rendered (and a screenshot when asked)."""
    base = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile_dir}"]
    if screenshot:
        subprocess.run(
            [*base, f"--screenshot={screenshot}", url], capture_output=True, timeout=120, check=True
        )
    result = subprocess.run(
        [*base, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True
    )
    return result.stdout
