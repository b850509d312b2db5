"""The reverse-ETL CLI as a separate process: killed with SIGKILL at random moments and rerun
until done, the channel ends holding exactly the desired state; secrets never reach the output
or the ledger; a bad sync file exits 2 with a message naming the sync and field."""

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from reverse_etl import ledger
from tests.support.channels import TEST_SECRET, webhook_channel
from tests.support.sync_cli import run_with_kills, start_cli
from tests.support.warehouse import PROJECT_ROOT, query

SECRET_ENV = "UPSTREAM_TEST_WEBHOOK_SECRET"


def _config(path: Path, url: str, batch_size: int = 5) -> Path:
    path.write_text(
        f"""
syncs:
  - name: audience_hook
    source: main.audience
    key: profile_id
    mode: mirror
    destination:
      type: webhook
      url: {url}
      secret_env: {SECRET_ENV}
      batch_size: {batch_size}
      timeout_s: 5
"""
    )
    return path


def _cli(db: Path, config: Path, *args: str, secret: str = TEST_SECRET) -> subprocess.Popen:
    return start_cli(db, config, *args, env={SECRET_ENV: secret})


def _fill(db: Path, members: int) -> None:
    with ledger.connect(str(db)) as con:
        con.execute(
            "create or replace table main.audience as select 'p' || lpad(i::varchar, 4, '0') as profile_id, "
            "i as score from range(?) as t (i)",
            [members],
        )


def _run_until_done(db: Path, config: Path, rng: random.Random, kills: int) -> int:
    """Kill `kills` runs at random moments, then let one finish with nothing left pending."""
    return run_with_kills(
        lambda: _cli(db, config, "run", "audience_hook"),
        lambda: query(db, f"select count(*) from {ledger.SCHEMA}.sync_pending")[0][0] == 0,
        rng,
        kills,
        window=(0.4, 1.6),
    )


def test_sigkill_at_random_moments_loses_nothing(tmp_path: Path) -> None:
    db = tmp_path / "upstream.duckdb"
    _fill(db, 300)
    rng = random.Random(20261127)
    with webhook_channel() as (channel, url):
        channel.delay_s = 0.01
        config = _config(tmp_path / "syncs.yml", url)
        assert _run_until_done(db, config, rng, kills=4) >= 1
        desired = dict(query(db, "select profile_id, score from main.audience"))
        assert {k: v["score"] for k, v in channel.held["audience_hook"].items()} == desired
        with duckdb.connect(str(db)) as con:
            con.execute("delete from main.audience where score % 7 = 0")
            con.execute("update main.audience set score = -score where score % 5 = 0")
            con.execute("insert into main.audience select 'n' || i, i from range(40) as t (i)")
        _run_until_done(db, config, rng, kills=3)
        desired = dict(query(db, "select profile_id, score from main.audience"))
        assert {k: v["score"] for k, v in channel.held["audience_hook"].items()} == desired
        confirmed = query(db, f"select count(*) from {ledger.SCHEMA}.sync_state")[0][0]
        assert confirmed == len(desired)


def test_secrets_never_reach_output_or_ledger(tmp_path: Path) -> None:
    db = tmp_path / "upstream.duckdb"
    _fill(db, 20)
    with webhook_channel() as (_, url):
        config = _config(tmp_path / "syncs.yml", url)
        ok = _cli(db, config, "run", "audience_hook")
        out, err = ok.communicate(timeout=60)
        assert ok.returncode == 0 and "confirmed 20" in out
        assert '"event": "run_finished"' in err  # structured logs on stderr
        wrong = "whsec_" + "bm90LXRoZS1yaWdodC1rZXktYXQtYWxsLTMyYnl0ZXM="
        with duckdb.connect(str(db)) as con:
            con.execute("update main.audience set score = score + 1")
        refused = _cli(db, config, "run", "audience_hook", secret=wrong)
        out2, err2 = refused.communicate(timeout=60)
        assert refused.returncode == 1 and "refused our credentials" in err2
    ledger_text = " ".join(
        str(value)
        for table in ("sync_runs", "sync_changelog", "sync_pending", "sync_state")
        for row in query(db, f"select * from {ledger.SCHEMA}.{table}")
        for value in row
    )
    for secret in (TEST_SECRET, wrong, TEST_SECRET.removeprefix("whsec_"), wrong.removeprefix("whsec_")):
        assert secret not in out + err + out2 + err2 + ledger_text


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        (
            "syncs:\n  - name: x\n    source: t\n    key: k\n    destination: {type: pigeon}\n",
            "sync x: field 'destination.type'",
        ),
        ("syncs: 3\n", "top-level list 'syncs'"),
    ],
)
def test_bad_sync_file_exits_2_and_names_the_field(tmp_path: Path, yaml_text: str, expected: str) -> None:
    config = tmp_path / "syncs.yml"
    config.write_text(yaml_text)
    process = _cli(tmp_path / "upstream.duckdb", config, "list")
    _, err = process.communicate(timeout=60)
    assert process.returncode == 2 and expected in err


def test_missing_secret_env_is_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "upstream.duckdb"
    _fill(db, 3)
    config = _config(tmp_path / "syncs.yml", "http://127.0.0.1:9/hook")
    env = {k: v for k, v in os.environ.items() if k != SECRET_ENV}
    result = subprocess.run(
        [sys.executable, "-m", "reverse_etl", "--config", str(config), "run", "audience_hook"],
        cwd=PROJECT_ROOT,
        env={**env, "UPSTREAM_DUCKDB_PATH": str(db)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert f"destination.secret_env names {SECRET_ENV}, which is not set" in result.stderr


def test_a_second_process_is_refused_while_a_run_writes_the_warehouse(tmp_path: Path) -> None:
    db = tmp_path / "upstream.duckdb"
    _fill(db, 200)
    with webhook_channel() as (channel, url):
        channel.delay_s = 0.05
        config = _config(tmp_path / "syncs.yml", url)
        first = _cli(db, config, "run", "audience_hook")
        while channel.requests == 0 and first.poll() is None:
            time.sleep(0.05)
        second = _cli(db, config, "run", "audience_hook")
        _, err = second.communicate(timeout=60)
        assert second.returncode == 1 and "another sync writing it" in err
        out, _ = first.communicate(timeout=120)
        assert first.returncode == 0 and "confirmed 200" in out
