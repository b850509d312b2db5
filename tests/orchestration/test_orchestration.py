"""The Dagster code location: it loads from a fresh checkout, `upstream_pipeline` materializes
every asset against a real DuckDB file and a local channel, and the schedule and the new-data
sensor decide as they should."""

import importlib
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from datagen.generate import GenerationConfig, generate
from orchestration.identity_check import compare_with_full_rebuild
from tests.support.channels import TEST_SECRET, webhook_channel
from tests.support.warehouse import PROJECT_ROOT, run_dbt

SECRET_ENV = "UPSTREAM_TEST_WEBHOOK_SECRET"


def _definitions(
    monkeypatch: pytest.MonkeyPatch, db: Path, sync_config: Path | None = None
) -> dg.Definitions:
    """orchestration.definitions loaded for this warehouse (and sync file)."""
    monkeypatch.setenv("UPSTREAM_DUCKDB_PATH", str(db))
    if sync_config:
        monkeypatch.setenv("UPSTREAM_SYNC_CONFIG", str(sync_config))
    import orchestration.definitions
    import orchestration.sync_assets

    importlib.reload(orchestration.sync_assets)
    return importlib.reload(orchestration.definitions).defs


def test_definitions_load_from_a_fresh_checkout(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    subprocess.run(["git", "clone", "-q", str(PROJECT_ROOT), str(checkout)], check=True)
    assert not (checkout / "target").exists()
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from orchestration.definitions import defs; "
            "print(len(defs.get_repository_def().asset_graph.get_all_asset_keys()))",
        ],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=False,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "UPSTREAM_DUCKDB_PATH": str(tmp_path / "w.duckdb"),
        },
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert int(result.stdout.strip().splitlines()[-1]) > 80
    assert (checkout / "target" / "dagster" / "manifest.json").exists()


def test_upstream_pipeline_materializes_everything_and_the_fast_lane_what_syncs_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "upstream.duckdb"
    generate(GenerationConfig(db_path=db, events=20_000, seed=17))
    monkeypatch.setenv("UPSTREAM_AS_OF", "2026-10-31 00:00:00")
    monkeypatch.setenv(SECRET_ENV, TEST_SECRET)
    with webhook_channel() as (channel, url):
        config = tmp_path / "syncs.yml"
        config.write_text(
            "syncs:\n"
            + "".join(
                f"  - name: {name}\n    source: {source}\n    key: sync_key\n"
                f"    destination: {{type: webhook, url: '{url}', secret_env: {SECRET_ENV}}}\n"
                for name, source in (
                    ("vip_webhook", "sync_webhook__high_value_recent"),
                    ("cart_abandoners_webhook", "sync_webhook__cart_abandoned_24h"),
                )
            )
        )
        defs = _definitions(monkeypatch, db, config)
        instance = dg.DagsterInstance.ephemeral()
        result = defs.resolve_job_def("upstream_pipeline").execute_in_process(instance=instance)
        assert result.success
        held = len(channel.held["vip_webhook"])
        _assert_pipeline_materialized_everything(db, result, held)
        _assert_fast_lane_sends_a_new_checkout(db, defs, instance, channel, monkeypatch)


def _assert_pipeline_materialized_everything(db: Path, result: dg.ExecuteInProcessResult, held: int) -> None:
    materialized = {
        event.asset_key.to_user_string(): event for event in result.get_asset_materialization_events()
    }
    assert {
        "id_graph",
        "profiles",
        "profile_changes",
        "cart_abandoned_24h",
        "sync_webhook__high_value_recent",
        "sync__vip_webhook",
    } <= set(materialized)
    graph = materialized["id_graph"].materialization.metadata
    assert graph["profiles"].value > 100 and graph["identifiers"].value > graph["profiles"].value
    segment = materialized["high_value_recent"].materialization.metadata
    assert segment["members"].value == segment["entered"].value > 0
    sync = materialized["sync__vip_webhook"].materialization.metadata
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("select count(*) from sync_webhook__high_value_recent").fetchone()[0]
        # UPSTREAM_AS_OF reached the models through the environment (no --vars).
        evaluated = "select distinct cast(occurred_at as varchar) from segment_events"
        evaluated_at = con.execute(evaluated).fetchall()
    assert sync["confirmed"].value == rows == held > 0
    assert evaluated_at == [("2026-10-31 00:00:00",)]
    checks = [e for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    assert len(checks) > 50 and all(e.event_specific_data.passed for e in checks)


def _assert_fast_lane_sends_a_new_checkout(
    db: Path,
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    channel,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Checkouts of known customers, then the sensor's job: the channel gets each checkout of a
    profile not held out, and the job built only what the syncs read and checked only the sync
    models."""
    with duckdb.connect(str(db)) as con:
        customers = con.execute(
            "select profile_id, min(id_value) from main.id_graph where id_type = 'anonymous_id' "
            "group by profile_id order by profile_id limit 8"
        ).fetchall()
        for number, (_, anonymous_id) in enumerate(customers):
            # The webhook destination needs personalization consent (dbt_project.yml).
            common = "id, anonymous_id, event, timestamp, received_at, context_consent_category_preferences_"
            values = [f"fast-lane-{number}", anonymous_id, "2026-10-31T00:10:00Z", "2026-10-31T00:10:01Z"]
            con.execute(
                f"insert into raw.tracks ({common}personalization) "
                "values (?, ?, 'checkout_started', ?, ?, 'true')",
                values,
            )
            con.execute(
                f"insert into raw.checkout_started ({common}personalization, checkout_id) "
                "values (?, ?, 'checkout_started', ?, ?, 'true', ?)",
                [*values, f"fast-checkout-{number}"],
            )
    monkeypatch.setenv("UPSTREAM_AS_OF", "2026-10-31 00:30:00")
    result = defs.resolve_job_def("activation_fast_lane").execute_in_process(instance=instance)
    assert result.success
    materialized = {event.asset_key.to_user_string() for event in result.get_asset_materialization_events()}
    assert {
        "base_segment__checkout_started",
        "id_graph",
        "profiles",
        "sync__cart_abandoners_webhook",
    } <= materialized
    assert not {"profile_changes", "lapsed_customers", "segment_membership"} & materialized
    checks = {
        e.event_specific_data.asset_key.to_user_string()
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }
    assert checks == {"sync_webhook__high_value_recent", "sync_webhook__cart_abandoned_24h"}
    with duckdb.connect(str(db), read_only=True) as con:
        held_out = {
            row[0]
            for row in con.execute(
                "select profile_id from main.segment_membership where segment_name = 'cart_abandoned_24h' "
                "and is_holdout"
            ).fetchall()
        }
    sent = {fields.get("checkout_id") for fields in channel.held["cart_abandoners_webhook"].values()}
    expected = {f"fast-checkout-{n}" for n, (profile, _) in enumerate(customers) if profile not in held_out}
    assert expected and expected <= sent


def test_new_raw_data_sensor_fires_on_new_data_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "upstream.duckdb"
    defs = _definitions(monkeypatch, db)
    sensor = defs.get_sensor_def("new_raw_data")
    instance = dg.DagsterInstance.ephemeral()
    with dg.build_sensor_context(instance=instance) as context:
        assert isinstance(sensor(context), dg.SkipReason)  # no warehouse yet
    generate(GenerationConfig(db_path=db, events=1_000, seed=3))
    with dg.build_sensor_context(instance=instance) as context:
        first = sensor(context)
        assert isinstance(first, dg.RunRequest)
        cursor = context.cursor
    # Nothing has been built here yet: the first run is the whole pipeline.
    assert first.job_name == "upstream_pipeline"
    assert first.tags["upstream/full_run_because"] == "upstream_pipeline has not run here yet"
    with dg.build_sensor_context(instance=instance, cursor=cursor) as context:
        assert isinstance(sensor(context), dg.SkipReason)
    _land_page(db, "late-1", _minutes_ago(2))
    # While a run waits in the queue, it will read the new rows: no second run.
    not_started = dg.DagsterRun(job_name="activation_fast_lane", status=dg.DagsterRunStatus.NOT_STARTED)
    waiting = instance.add_run(not_started)
    with dg.build_sensor_context(instance=instance, cursor=cursor) as context:
        skipped = sensor(context)
        assert isinstance(skipped, dg.SkipReason) and "waiting" in skipped.skip_message
        assert context.cursor == cursor  # the new rows are still news for the next look
    instance.report_run_canceled(waiting)
    # Once the pipeline has succeeded, new data starts the fast lane.
    instance.add_run(dg.DagsterRun(job_name="upstream_pipeline", status=dg.DagsterRunStatus.SUCCESS))
    with dg.build_sensor_context(instance=instance, cursor=cursor) as context:
        later = sensor(context)
        cursor = context.cursor
    assert isinstance(later, dg.RunRequest) and later.run_key != first.run_key
    assert later.job_name == "activation_fast_lane" and "upstream/full_run_because" not in later.tags
    # A failed pipeline (a data test, say) sends new data through the pipeline until it passes.
    instance.add_run(dg.DagsterRun(job_name="upstream_pipeline", status=dg.DagsterRunStatus.FAILURE))
    _land_page(db, "late-2", _minutes_ago(1))
    with dg.build_sensor_context(instance=instance, cursor=cursor) as context:
        after_failure = sensor(context)
    assert after_failure.job_name == "upstream_pipeline"
    assert after_failure.tags["upstream/full_run_because"] == "the latest upstream_pipeline run ended FAILURE"


def _minutes_ago(minutes: int) -> str:
    """A received_at just before now: later than any generated row, not in the future."""
    return (datetime.now(UTC) - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _land_page(db: Path, message_id: str, received_at: str) -> None:
    with duckdb.connect(str(db)) as con:
        con.execute(
            "insert into raw.pages (id, anonymous_id, timestamp, received_at) values (?, 'anon-late', ?, ?)",
            [message_id, received_at, received_at],
        )


def test_schedule_runs_the_pipeline_every_15_minutes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    defs = _definitions(monkeypatch, tmp_path / "upstream.duckdb")
    schedule = defs.get_schedule_def("upstream_pipeline_schedule")
    assert schedule.cron_schedule == "*/15 * * * *" and schedule.job_name == "upstream_pipeline"
    with dg.build_schedule_context() as context:
        requests = schedule.evaluate_tick(context).run_requests
    assert len(requests) == 1
    assert defs.get_schedule_def("nightly_identity_check").cron_schedule == "0 3 * * *"


def test_sync_assets_have_retries_and_the_writer_pool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    defs = _definitions(monkeypatch, tmp_path / "upstream.duckdb")
    graph = defs.get_repository_def().asset_graph
    sync_node = graph.get(dg.AssetKey("sync__vip_webhook"))
    assert dg.AssetKey("sync_webhook__high_value_recent") in sync_node.parent_keys
    assets_def = sync_node.assets_def
    assert assets_def.op.retry_policy.max_retries == 3 and assets_def.op.pool == "duckdb_writer"
    assert graph.get(dg.AssetKey("id_graph")).assets_def.op.pool == "duckdb_writer"


def test_nightly_check_compares_incremental_with_full_rebuild(tmp_path: Path) -> None:
    db = tmp_path / "upstream.duckdb"
    generate(GenerationConfig(db_path=db, events=5_000, seed=23))
    run_dbt(db, "build", "--select", "+id_graph", "--exclude-resource-type", "test", "unit_test")
    counts = compare_with_full_rebuild(db)
    assert counts["only_incremental"] == counts["only_full_rebuild"] == 0 and counts["identical_rows"] > 100
    with duckdb.connect(str(db)) as con:  # a drifted graph must be caught
        con.execute("update main.id_graph set profile_id = 'drifted' where id_type = 'user_id'")
    drifted = compare_with_full_rebuild(db)
    assert drifted["only_incremental"] > 0 and drifted["only_full_rebuild"] == drifted["only_incremental"]
