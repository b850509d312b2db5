"""Segment history over three incremental runs on generated data: the event log reproduces every
run's members, equals a from-scratch replay at each as_of, and static segments stay frozen."""

import hashlib
import itertools
import shutil
from pathlib import Path

import pytest

from tests.support.warehouse import build_as_of, copy_project, query, run_dbt

TIMELINE = ["2026-10-10 12:00:00", "2026-10-20 12:00:00", "2026-10-30 12:00:00"]
SHIPPED = ["cart_abandoned_24h", "high_value_recent", "lapsed_customers", "new_visitors_7d"]

# Segments a user would add: one file each, nothing else to register.
ADDED_SEGMENTS = {
    "static_big_spenders": """
{{ config(meta={'segment': {'description': 'Spent over 300 when first built.', 'owner': 'tests',
    'refresh': 'static'}}) }}
select profile_id, lifetime_revenue from {{ ref('profiles') }} where lifetime_revenue > 300
""",
    "big_spenders": """
{{ config(meta={'segment': {'description': 'Spent over 300.', 'owner': 'tests'}}) }}
select profile_id, lifetime_revenue from {{ ref('profiles') }} where lifetime_revenue > 300
""",
    "new_or_high_value": """
{{ config(meta={'segment': {'description': 'Built on two other segments.', 'owner': 'tests'}}) }}
select profile_id from {{ ref('new_visitors_7d') }}
union
select profile_id from {{ ref('high_value_recent') }}
""",
}
SEGMENTS = SHIPPED + sorted(ADDED_SEGMENTS)


def _as_of(value: str) -> str:
    return f'{{upstream__as_of: "{value}"}}'


def _members(db: Path, segment: str) -> set[str]:
    return {row[0] for row in query(db, f"select profile_id from main.{segment}")}


def _members_from_log(db: Path, segment: str, at: str) -> set[str]:
    rows = query(
        db,
        """
        select profile_id from (
            select profile_id, event_type,
                row_number() over (partition by profile_id order by occurred_at desc, recorded_at desc) as r
            from main.segment_event_log
            where segment_name = ? and occurred_at <= cast(? as timestamp)
        ) where r = 1 and event_type = 'entered'
        """,
        [segment, at],
    )
    return {row[0] for row in rows}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("segment_project") / "project")
    for name, sql in ADDED_SEGMENTS.items():
        (root / "models" / "segments" / f"{name}.sql").write_text(sql.lstrip())
    return root


@pytest.fixture(scope="module")
def history(generated: Path, project: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Three incremental builds along TIMELINE; members of every segment after each."""
    db = tmp_path_factory.mktemp("segment_history") / "upstream.duckdb"
    shutil.copy(generated, db)
    snapshots, event_counts = {}, {}
    for as_of in TIMELINE:
        # The segments and what they read: the history is theirs, the stages after them add nothing.
        run_dbt(
            db, "build", "--select", "+path:models/segments", "--vars", _as_of(as_of), project_dir=project
        )
        snapshots[as_of] = {segment: _members(db, segment) for segment in SEGMENTS}
        event_counts[as_of] = query(db, "select count(*) from main.segment_event_log")[0][0]
    return {"db": db, "snapshots": snapshots, "event_counts": event_counts}


def test_the_timeline_changes_membership(history: dict) -> None:
    first, last = history["snapshots"][TIMELINE[0]], history["snapshots"][TIMELINE[-1]]
    assert all(first[segment] for segment in ["high_value_recent", "new_visitors_7d", "big_spenders"])
    assert first["new_visitors_7d"] != last["new_visitors_7d"]
    assert first["big_spenders"] < last["big_spenders"]


def test_history_reproduces_every_run(history: dict) -> None:
    for as_of in TIMELINE:
        for segment in SEGMENTS:
            assert _members_from_log(history["db"], segment, as_of) == history["snapshots"][as_of][segment], (
                segment,
                as_of,
            )


def test_membership_view_is_the_latest_run(history: dict) -> None:
    rows = query(history["db"], "select segment_name, profile_id from main.segment_membership")
    latest = history["snapshots"][TIMELINE[-1]]
    assert {(s, p) for s, p in rows} == {(s, p) for s in SEGMENTS for p in latest[s]}


def test_run_log_counts_equal_the_differences(history: dict) -> None:
    snapshots = history["snapshots"]
    for before, after in itertools.pairwise(TIMELINE):
        for segment in ["new_visitors_7d", "high_value_recent", "cart_abandoned_24h"]:
            entered, exited = query(
                history["db"],
                "select entered, exited from main.segment_run_log "
                "where segment_name = ? and evaluated_at = ?",
                [segment, after],
            )[0]
            assert entered == len(snapshots[after][segment] - snapshots[before][segment])
            assert exited == len(snapshots[before][segment] - snapshots[after][segment])


def test_event_log_is_append_only(history: dict) -> None:
    counts = [history["event_counts"][as_of] for as_of in TIMELINE]
    assert counts == sorted(counts) and counts[0] < counts[-1]
    first_run = query(
        history["db"],
        "select count(*) from main.segment_event_log where occurred_at = cast(? as timestamp)",
        [TIMELINE[0]],
    )[0][0]
    assert first_run == counts[0]


def test_static_segment_is_frozen_and_dynamic_twin_moves(history: dict) -> None:
    snapshots = history["snapshots"]
    static = [snapshots[as_of]["static_big_spenders"] for as_of in TIMELINE]
    assert static[0] == static[1] == static[2] == snapshots[TIMELINE[0]]["big_spenders"]
    assert snapshots[TIMELINE[-1]]["big_spenders"] != static[-1]
    outcomes = query(
        history["db"],
        "select outcome from main.segment_run_log "
        "where segment_name = 'static_big_spenders' order by recorded_at",
    )
    assert [row[0] for row in outcomes] == ["evaluated", "frozen", "frozen"]


def test_segment_built_on_segments(history: dict) -> None:
    for as_of in TIMELINE:
        snapshot = history["snapshots"][as_of]
        assert snapshot["new_or_high_value"] == snapshot["new_visitors_7d"] | snapshot["high_value_recent"]


def test_registry_lists_every_segment_file(history: dict) -> None:
    rows = query(history["db"], "select segment_name, refresh, owner from main.segment_registry")
    registry = {name: (refresh, owner) for name, refresh, owner in rows}
    assert sorted(registry) == sorted(SEGMENTS)
    assert registry["static_big_spenders"] == ("static", "tests")
    assert registry["cart_abandoned_24h"][0] == "dynamic"


def test_holdout_and_split_follow_the_documented_hash(history: dict) -> None:
    """is_holdout = first 32 bits of md5('<segment>:<profile>') / 2^32 < holdout_share."""
    shares = dict(query(history["db"], "select segment_name, holdout_share from main.segment_registry"))
    rows = query(
        history["db"],
        "select distinct segment_name, profile_id, is_holdout, split_name from main.segment_event_log",
    )
    assert len({(s, p) for s, p, _, _ in rows}) == len(rows), "a profile changed group between runs"
    for segment, profile, is_holdout, split_name in rows:
        point = int(hashlib.md5(f"{segment}:{profile}".encode()).hexdigest()[:8], 16) / 2**32
        assert is_holdout == (point < float(shares[segment]))
        if segment == "new_visitors_7d" and not is_holdout:
            edge = float(shares[segment]) + (1 - float(shares[segment])) * 0.5
            assert split_name == ("welcome_a" if point < edge else "welcome_b")


def test_incremental_history_equals_a_replay(
    history: dict, generated: Path, project: Path, tmp_path: Path
) -> None:
    """A from-scratch build at each later as_of gives the members the incremental runs recorded."""
    for as_of in TIMELINE[1:]:
        db = tmp_path / as_of[:10] / "upstream.duckdb"
        db.parent.mkdir()
        shutil.copy(generated, db)
        build_as_of(db, as_of, project_dir=project)
        for segment in SEGMENTS:
            if segment != "static_big_spenders":
                assert _members(db, segment) == history["snapshots"][as_of][segment], (segment, as_of)


def test_a_past_as_of_leaves_history_alone(history: dict, project: Path, tmp_path: Path) -> None:
    db = tmp_path / "upstream.duckdb"
    shutil.copy(history["db"], db)
    before = query(db, "select count(*) from main.segment_event_log")[0][0]
    run_dbt(db, "run", "--select", "models/segments", "--vars", _as_of(TIMELINE[0]), project_dir=project)
    after = query(db, "select count(*) from main.segment_event_log")[0][0]
    outcomes = query(
        db,
        "select distinct outcome from main.segment_run_log where evaluated_at = cast(? as timestamp) "
        "and segment_name = 'new_visitors_7d' "
        "and recorded_at = (select max(recorded_at) from main.segment_run_log)",
        [TIMELINE[0]],
    )
    assert after == before
    assert outcomes == [("skipped_past_as_of",)]
    assert _members(db, "new_visitors_7d") == history["snapshots"][TIMELINE[-1]]["new_visitors_7d"]
