"""Sync assets in a real Dagster instance on disk: a channel outage is retried and, once the channel
is back, every row arrives; a refusal (configuration, a safety rail) is not retried and says how to
proceed; no secret reaches the instance's run storage or compute logs."""

import importlib
from pathlib import Path

import dagster as dg
import pytest

from reverse_etl import ledger
from tests.support.channels import TEST_SECRET, webhook_channel
from tests.support.sync_fixtures import audience_warehouse, desired, held
from tests.support.warehouse import query

SECRET_ENV = "UPSTREAM_TEST_WEBHOOK_SECRET"


def _sync_asset(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, url: str, **extra: object):
    """The sync asset of a one-sync file, its retry delay shortened."""
    settings = "".join(f", {key}: {value}" for key, value in {"timeout_s": 1, **extra}.items())
    sync_file = tmp_path / "syncs.yml"
    sync_file.write_text(
        "syncs:\n  - name: audience_hook\n    source: main.audience\n    key: profile_id\n"
        f"    destination: {{type: webhook, url: '{url}', secret_env: {SECRET_ENV}{settings}}}\n"
    )
    monkeypatch.setenv("UPSTREAM_SYNC_CONFIG", str(sync_file))
    monkeypatch.setenv("UPSTREAM_SYNC_RETRY_DELAY_S", "0.05")
    import orchestration.sync_assets

    (asset,) = importlib.reload(orchestration.sync_assets).sync_assets()
    return asset


def _materialize(asset, instance: dg.DagsterInstance, **run_config: object) -> dg.ExecuteInProcessResult:
    config = {"ops": {"sync__audience_hook": {"config": run_config}}} if run_config else None
    return dg.materialize([asset], instance=instance, run_config=config, raise_on_error=False)


def _retries(result: dg.ExecuteInProcessResult) -> int:
    return sum(event.event_type_value == "STEP_UP_FOR_RETRY" for event in result.all_events)


def _failure(result: dg.ExecuteInProcessResult) -> str:
    """The step's failure message, with the messages of the errors it wraps."""
    (failure,) = [event for event in result.all_events if event.event_type_value == "STEP_FAILURE"]
    error, messages = failure.event_specific_data.error, []
    while error:
        messages.append(error.message)
        error = error.cause
    return " | ".join(messages)


@pytest.fixture
def instance(tmp_path: Path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    with dg.instance_for_test(temp_dir=str(home)) as dagster_instance:
        yield dagster_instance


def test_an_outage_is_retried_and_recovery_delivers_everything(tmp_path, monkeypatch, instance) -> None:
    db = tmp_path / "upstream.duckdb"
    audience_warehouse(db).close()
    monkeypatch.setenv("UPSTREAM_DUCKDB_PATH", str(db))
    monkeypatch.setenv(SECRET_ENV, TEST_SECRET)
    with webhook_channel() as (channel, url):
        asset = _sync_asset(monkeypatch, tmp_path, url, max_attempts=1)
        channel.fail_next = 10_000
        down = _materialize(asset, instance)
        assert not down.success and _retries(down) == 3
        assert "30 rows got no verdict (HTTP 503)" in _failure(down)
        assert query(db, f"select status, max(attempts) from {ledger.SCHEMA}.sync_pending group by 1") == [
            ("pending", 0)
        ]
        channel.fail_next = 0
        back = _materialize(asset, instance)
        assert back.success
        (materialized,) = back.get_asset_materialization_events()
        assert materialized.materialization.metadata["confirmed"].value == 30
        with ledger.connect(str(db)) as con:
            assert held(channel) == desired(con)


def test_refusals_are_not_retried_and_say_how_to_proceed(tmp_path, monkeypatch, instance) -> None:
    db = tmp_path / "upstream.duckdb"
    audience_warehouse(db).close()
    monkeypatch.setenv("UPSTREAM_DUCKDB_PATH", str(db))
    with webhook_channel() as (channel, url):
        asset = _sync_asset(monkeypatch, tmp_path, url)
        monkeypatch.delenv(SECRET_ENV, raising=False)
        missing = _materialize(asset, instance)
        assert not missing.success and _retries(missing) == 0
        assert f"names {SECRET_ENV}, which is not set. To proceed:" in _failure(missing)

        monkeypatch.setenv(SECRET_ENV, TEST_SECRET)
        assert _materialize(asset, instance).success
        with ledger.connect(str(db)) as con:
            con.execute("delete from main.audience where score >= 5")
        guarded = _materialize(asset, instance)
        assert not guarded.success and _retries(guarded) == 0
        assert "{ops: {sync__audience_hook: {config: {force: true}}}}" in _failure(guarded)
        assert len(held(channel)) == 30
        assert _materialize(asset, instance, force=True).success
        assert len(held(channel)) == 5

        monkeypatch.setenv("UPSTREAM_DUCKDB_PATH", str(tmp_path / "typo.duckdb"))
        nowhere = _materialize(asset, instance)
        assert not nowhere.success and _retries(nowhere) == 0
        assert f"no warehouse at {tmp_path / 'typo.duckdb'}" in _failure(nowhere)
        assert not (tmp_path / "typo.duckdb").exists()


@pytest.mark.parametrize("secret", [TEST_SECRET + "\r\nX-Injected: 1", "whsec_" + "A" * 12 + " B"])
def test_no_secret_reaches_the_dagster_instance(tmp_path, monkeypatch, instance, secret: str) -> None:
    db = tmp_path / "upstream.duckdb"
    audience_warehouse(db).close()
    monkeypatch.setenv("UPSTREAM_DUCKDB_PATH", str(db))
    monkeypatch.setenv(SECRET_ENV, secret)
    with webhook_channel() as (_, url):
        result = _materialize(_sync_asset(monkeypatch, tmp_path, url), instance)
    assert not result.success and _retries(result) == 0
    stored = [path.read_bytes() for path in (tmp_path / "dagster_home").rglob("*") if path.is_file()]
    assert stored, "the instance wrote nothing to search"
    for part in (part for part in secret.split() if len(part) >= 8):
        assert not any(part.encode() in blob for blob in stored)
    assert not any(TEST_SECRET.removeprefix("whsec_").encode() in blob for blob in stored)


def test_the_dbt_step_refuses_a_warehouse_that_does_not_exist(tmp_path, monkeypatch, instance) -> None:
    missing = tmp_path / "typo" / "upstream.duckdb"
    monkeypatch.setenv("UPSTREAM_DUCKDB_PATH", str(missing))
    import orchestration.dbt_assets
    from orchestration.dbt_resource_skip_version_check import UpstreamDbtCliResource
    from orchestration.project import DBT_EXECUTABLE, UPSTREAM_PROJECT

    dbt_assets = importlib.reload(orchestration.dbt_assets)

    dbt = UpstreamDbtCliResource(project_dir=UPSTREAM_PROJECT, dbt_executable=DBT_EXECUTABLE)
    result = dg.materialize(
        [dbt_assets.upstream_dbt_assets],
        instance=instance,
        resources={"dbt": dbt},
        selection=dg.AssetSelection.keys("id_graph"),
        raise_on_error=False,
    )
    assert not result.success and _retries(result) == 0
    assert f"no warehouse at {missing}" in _failure(result)
    assert not missing.exists() and not missing.parent.exists()
