"""The collector in the Dagster pipeline: the new-data sensor fires on a newly closed landing file
(a listing, not a query of the warehouse), and the pipeline's first asset loads the landing area
into a warehouse that did not exist yet, before dbt builds on it."""

import importlib
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import yaml
from segment.analytics.client import Client as SegmentClient

from tests.support.collector import WRITE_KEYS, as_of_after_now, running_collector

# Runs the Dagster pipeline with a dbt build: not part of `make check`.
pytestmark = pytest.mark.slow


def _definitions(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dg.Definitions:
    monkeypatch.setenv("UPSTREAM_DUCKDB_PATH", str(tmp_path / "upstream.duckdb"))
    monkeypatch.setenv("UPSTREAM_LANDING_DIR", str(tmp_path / "landing"))
    config = tmp_path / "syncs.yml"
    config.write_text("syncs: []\n")
    monkeypatch.setenv("UPSTREAM_SYNC_CONFIG", str(config))
    import orchestration.definitions
    import orchestration.sync_assets

    importlib.reload(orchestration.sync_assets)
    return importlib.reload(orchestration.definitions).defs


def _close_landing_file(landing: Path, name: str) -> None:
    landing.mkdir(parents=True, exist_ok=True)
    line = b'{"type":"track","event":"x","userId":"u","messageId":"%s","receivedAt":"2026-12-01T00:00:00Z"}\n'
    (landing / f"{name}.ndjson").write_bytes(line % name.encode())


def test_the_sensor_fires_on_a_newly_closed_landing_file(tmp_path, monkeypatch):
    defs = _definitions(monkeypatch, tmp_path)
    sensor = defs.get_sensor_def("new_raw_data")
    instance = dg.DagsterInstance.ephemeral()
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "20261201T000000-1-a.ndjson.open").write_bytes(b"")  # still being written
    with dg.build_sensor_context(instance=instance) as context:
        skipped = sensor(context)
        assert isinstance(skipped, dg.SkipReason) and "landing" in skipped.skip_message
    _close_landing_file(landing, "20261201T000000-1-b")
    with dg.build_sensor_context(instance=instance) as context:
        first = sensor(context)
        cursor = context.cursor
    assert isinstance(first, dg.RunRequest) and first.job_name == "upstream_pipeline"
    assert cursor.startswith("landing:")
    with dg.build_sensor_context(instance=instance, cursor=cursor) as context:
        assert isinstance(sensor(context), dg.SkipReason)
    _close_landing_file(landing, "20261201T000001-2-c")
    with dg.build_sensor_context(instance=instance, cursor=cursor) as context:
        again = sensor(context)
    assert isinstance(again, dg.RunRequest) and again.run_key != first.run_key


def test_the_pipeline_loads_the_landing_area_first(tmp_path, monkeypatch):
    defs = _definitions(monkeypatch, tmp_path)
    with running_collector(tmp_path / "landing") as collector:
        client = SegmentClient(WRITE_KEYS["server"], host=collector.url)
        client.identify(user_id="dag-user", anonymous_id="dag-anon", traits={"email": "dag@mailbox.org"})
        client.track(
            user_id="dag-user", event="Order Completed", properties={"order_id": "o-dag", "total": 9.5}
        )
        client.flush()
        client.shutdown()
    assert not (tmp_path / "upstream.duckdb").exists()
    monkeypatch.setenv("UPSTREAM_AS_OF", yaml.safe_load(as_of_after_now())["upstream__as_of"])
    result = defs.resolve_job_def("upstream_pipeline").execute_in_process(
        instance=dg.DagsterInstance.ephemeral()
    )
    assert result.success
    loaded = {
        event.asset_key.to_user_string(): event.materialization.metadata["rows_loaded"].value
        for event in result.get_asset_materialization_events()
        if event.asset_key.path[0] == "segment"
    }
    assert loaded["segment/order_completed"] == 1 and loaded["segment/identifies"] == 1
    with duckdb.connect(str(tmp_path / "upstream.duckdb"), read_only=True) as con:
        profile = con.execute(
            "select p.order_count, p.lifetime_revenue from main.profiles as p join main.id_graph as g "
            "using (profile_id) where g.id_type = 'user_id' and g.id_value = 'dag-user'"
        ).fetchall()
    assert profile == [(1, 9.5)]
    assert not list((tmp_path / "landing").glob("*.ndjson")), "loaded files are removed"


def test_a_file_loaded_between_listing_and_looking_is_skipped(tmp_path, monkeypatch):
    from orchestration import sensors

    landing = tmp_path / "landing"
    _close_landing_file(landing, "20261201T000000-1-kept")
    gone = landing / "20261201T000001-1-gone.ndjson"  # listed, then removed by a load
    monkeypatch.setattr(
        sensors, "pending_files", lambda directory: [gone, *sorted(directory.glob("*.ndjson"))]
    )
    monkeypatch.setenv("UPSTREAM_LANDING_DIR", str(landing))
    kept = (landing / "20261201T000000-1-kept.ndjson").stat().st_ctime_ns
    assert sensors.newest_closed_landing_file() == f"{kept:020d}"
