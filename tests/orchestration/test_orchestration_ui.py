"""The Dagster UI in headless Chromium: after `upstream_pipeline` ran, the webserver shows the
pipeline's asset groups and assets and the successful run. The screenshot of the asset graph is
kept in target/test-artifacts/."""

import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from datagen.generate import GenerationConfig, generate
from orchestration.translator import GROUPS
from tests.support.browser import render
from tests.support.channels import TEST_SECRET, webhook_channel
from tests.support.ports import free_port
from tests.support.warehouse import PROJECT_ROOT

RUN_PIPELINE = (
    "import dagster as dg; from orchestration.definitions import defs; "
    "job = defs.resolve_job_def('upstream_pipeline'); "
    "assert job.execute_in_process(instance=dg.DagsterInstance.get()).success"
)
ARTIFACTS = PROJECT_ROOT / "target" / "test-artifacts"


def _text(dom: str) -> str:
    dom = re.sub(r"<script.*?</script>|<style.*?</style>", " ", dom, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", dom))


@pytest.fixture(scope="module")
def webserver(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("dagster_ui")
    home, db = root / "dagster_home", root / "upstream.duckdb"
    home.mkdir()
    (home / "dagster.yaml").write_text((PROJECT_ROOT / "orchestration" / "dagster.yaml").read_text())
    generate(GenerationConfig(db_path=db, events=5_000, seed=21))
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "UPSTREAM_DUCKDB_PATH": str(db),
        "UPSTREAM_SYNC_CONFIG": str(root / "syncs.yml"),
        "UPSTREAM_TEST_WEBHOOK_SECRET": TEST_SECRET,
    }
    # The run goes through the same instance the webserver reads, as `make demo` does.
    with webhook_channel() as (_, hook):
        (root / "syncs.yml").write_text(
            "syncs:\n  - name: vip_webhook\n    source: sync_webhook__high_value_recent\n    key: sync_key\n"
            f"    destination: {{type: webhook, url: '{hook}', secret_env: UPSTREAM_TEST_WEBHOOK_SECRET}}\n"
        )
        subprocess.run(
            [sys.executable, "-c", RUN_PIPELINE],
            cwd=PROJECT_ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=600,
        )
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dagster-webserver"),
            "-m",
            "orchestration.definitions",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/server_info", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail("the Dagster webserver did not start")
    yield url, root
    server.terminate()
    server.wait(timeout=30)


def test_asset_graph_shows_every_stage(webserver) -> None:
    url, root = webserver
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS / "asset_graph.png"
    text = _text(render(f"{url}/asset-groups", root / "chromium", screenshot))
    assert "Global asset lineage" in text
    assert all(group in text for group in GROUPS), text[:2000]
    assert screenshot.stat().st_size > 10_000


def test_catalog_asset_page_and_runs_page_show_the_run(webserver) -> None:
    url, root = webserver
    catalog = _text(render(f"{url}/assets", root / "chromium"))  # a virtual list: the first rows render
    assert "activation_eligibility" in catalog and "Materialized" in catalog, catalog[:2000]
    asset_page = _text(render(f"{url}/assets/id_graph", root / "chromium"))
    assert "id_graph" in asset_page and "profile_id" in asset_page, asset_page[:2000]
    runs = _text(render(f"{url}/runs", root / "chromium"))
    assert re.search(r"upstream_pipeline .*Success", runs), runs[:2000]
    runs = _text(render(f"{url}/runs", root / "chromium"))
    assert "upstream_pipeline" in runs and "Success" in runs, runs[:2000]
