"""Headless Chromium for the UI test: Debian's `chromium`, installed by the test setup if missing."""

import shutil
import subprocess
from pathlib import Path

import pytest

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
    """Path of a Chromium binary; apt-get installs Debian's package when there is none."""
    found = shutil.which("chromium")
    if found:
        return found
    for command in (["apt-get", "install", "-y", "-q", "chromium"], ["apt-get", "update", "-q"]):
        subprocess.run(command, capture_output=True, check=False)
    subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], capture_output=True, check=False)
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
