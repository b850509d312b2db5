"""Profile ids are stable run to run, the older id survives a merge, and reruns equal a rebuild."""

import re
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from tests.support.identity_scenarios import START, identify_rows
from tests.support.warehouse import query, run_dbt, write_raw_tables

DAY_1 = {
    "returning": [{"anonymous_id": "st-a1", "user_id": "st-u1", "email": "returning@gmail.com"}],
    # Two separate people on day 1: an anonymous browser (older) and a signed-up user.
    "older_anonymous": [{"anonymous_id": "st-p1", "email": "first.visit@gmail.com"}],
    "younger_user": [{"anonymous_id": "st-p2", "user_id": "st-u2"}],
}
# A month older than the rest and untouched by day 2: an incremental run leaves it alone.
BYSTANDER = {"bystander": [{"anonymous_id": "st-z1", "user_id": "st-z9"}]}
DAY_2 = {
    "returning_new_cookie": [{"anonymous_id": "st-a9", "user_id": "st-u1"}],
    # The older anonymous browser logs in as st-u2: two profiles become one.
    "bridge": [{"anonymous_id": "st-p1", "user_id": "st-u2"}],
}

# The identity stage and what it reads: these scenarios check the graph, not the stages after it.
IDENTITY = ("--select", "+id_graph", "+profile_merges")


def _graph(db: Path) -> set[tuple]:
    return set(query(db, "select profile_id, id_type, id_value from id_graph"))


def _profile(db: Path, id_type: str, value: str) -> str:
    return query(db, "select profile_id from id_graph where id_type = ? and id_value = ?", [id_type, value])[
        0
    ][0]


@pytest.fixture(scope="module")
def two_day_history(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Day 1 built, day 2 appended and built again in the same warehouse; plus a full rebuild."""
    root = tmp_path_factory.mktemp("stability")
    day_1_rows = identify_rows(BYSTANDER, start=START - timedelta(days=30)) + identify_rows(
        DAY_1, start=START
    )
    # Day 2 arrives well after the lookback window, so only what it touches is recomputed.
    day_2_rows = identify_rows(DAY_2, start=START.replace(day=20))

    incremental = root / "incremental.duckdb"
    write_raw_tables(incremental, {"identifies": day_1_rows})
    run_dbt(incremental, "build", *IDENTITY)
    day_1 = {
        "graph": _graph(incremental),
        "older": _profile(incremental, "anonymous_id", "st-p1"),
        "younger": _profile(incremental, "user_id", "st-u2"),
        "returning": _profile(incremental, "user_id", "st-u1"),
    }
    write_raw_tables(incremental, {"identifies": day_1_rows + day_2_rows})
    day_2_log = run_dbt(incremental, "build", *IDENTITY)

    rebuilt = root / "rebuilt.duckdb"
    write_raw_tables(rebuilt, {"identifies": day_1_rows + day_2_rows})
    run_dbt(rebuilt, "build", "--full-refresh", *IDENTITY)
    return {"day_1": day_1, "incremental": incremental, "rebuilt": rebuilt, "day_2_log": day_2_log}


def test_new_data_does_not_rename_a_profile(two_day_history):
    db, day_1 = two_day_history["incremental"], two_day_history["day_1"]
    assert _profile(db, "user_id", "st-u1") == day_1["returning"]
    assert _profile(db, "anonymous_id", "st-a9") == day_1["returning"]


def test_older_profile_id_survives_a_merge(two_day_history):
    db, day_1 = two_day_history["incremental"], two_day_history["day_1"]
    assert day_1["older"] != day_1["younger"]
    assert _profile(db, "user_id", "st-u2") == day_1["older"]
    assert _profile(db, "anonymous_id", "st-p2") == day_1["older"]
    merges = query(db, "select merged_profile_id, into_profile_id, reason from profile_merges")
    assert [(m[0], m[1]) for m in merges] == [(day_1["younger"], day_1["older"])]
    assert merges[0][2]


def test_incremental_run_recomputes_only_touched_components(two_day_history):
    # Rows within the lookback (var upstream__lookback_days) of day 1's latest row are re-read:
    # the returning user (3 stored identifiers) and the two profiles day 2 bridges (2 + 2), plus
    # the new cookie st-a9: 8 nodes. The month-old bystander's 2 stay as they are.
    match = re.search(r"recomputing (\d+) of (\d+) stored nodes", two_day_history["day_2_log"])
    assert match, "the clusters model must report an incremental run"
    assert (int(match.group(1)), int(match.group(2))) == (8, 9)


def test_rerun_equals_full_rebuild(two_day_history):
    assert _graph(two_day_history["incremental"]) == _graph(two_day_history["rebuilt"])


def test_rebuild_of_same_data_reproduces_ids(two_day_history, tmp_path):
    """Row order must not matter: the same raw rows, stored in reverse, give the same ids."""
    again = tmp_path / "again.duckdb"
    with duckdb.connect(str(again)) as con:
        con.execute(f"attach '{two_day_history['rebuilt']}' as source (read_only)")
        con.execute("create schema raw")
        con.execute("create table raw.identifies as select * from source.raw.identifies order by id desc")
    run_dbt(again, "build", *IDENTITY)
    assert _graph(again) == _graph(two_day_history["rebuilt"])


def test_non_convergence_fails_loudly(tmp_path):
    db = tmp_path / "chain.duckdb"
    chain = [{"anonymous_id": f"c{i}", "email": f"link{i}@gmail.com"} for i in range(8)]
    chain += [{"anonymous_id": f"c{i + 1}", "email": f"link{i}@gmail.com"} for i in range(8)]
    write_raw_tables(db, {"identifies": identify_rows({"long_chain": chain})})
    run_dbt(db, "seed")
    with pytest.raises(AssertionError, match="did not converge in 2 rounds"):
        run_dbt(
            db,
            "run",
            "--select",
            "+int_identity_clusters",
            "--vars",
            "{upstream__identity_max_iterations: 2}",
        )
    run_dbt(db, "run", "--select", "+int_identity_clusters")
    labels = query(
        db, "select count(distinct label_key), count(distinct component_key) from int_identity_clusters"
    )
    assert labels == [(1, 1)]
