"""A segment with a bad config or a bad result stops with a message naming the segment and the
field, before anything is written."""

from pathlib import Path

import pytest

from tests.support.warehouse import copy_project, query, run_dbt

BAD_SEGMENTS = {
    "bad_holdout": (
        "{{ config(meta={'segment': {'description': 'x', 'owner': 'tests', 'holdout_share': 1.5}}) }}\n"
        "select 'p1' as profile_id",
        "segment bad_holdout: meta.segment.holdout_share must be a number in [0, 1)",
    ),
    "bad_refresh": (
        "{{ config(meta={'segment': {'description': 'x', 'owner': 'tests', 'refresh': 'hourly'}}) }}\n"
        "select 'p1' as profile_id",
        "segment bad_refresh: meta.segment.refresh must be 'dynamic' or 'static'",
    ),
    "no_owner": (
        "{{ config(meta={'segment': {'description': 'x'}}) }}\nselect 'p1' as profile_id",
        "segment no_owner: meta.segment.owner is required text",
    ),
    "duplicate_members": (
        "{{ config(meta={'segment': {'description': 'x', 'owner': 'tests'}}) }}\n"
        "select 'p1' as profile_id union all select 'p1' union all select null",
        "segment duplicate_members: profile_id must be unique and not null; "
        "got 3 rows, 2 with a profile_id, 1 distinct",
    ),
    "reserved_column": (
        "{{ config(meta={'segment': {'description': 'x', 'owner': 'tests'}}) }}\n"
        "select 'p1' as profile_id, current_timestamp as entered_at",
        "segment reserved_column: column entered_at is added by the segment materialization",
    ),
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("bad_segments") / "project")
    for name, (sql, _) in BAD_SEGMENTS.items():
        (root / "models" / "segments" / f"{name}.sql").write_text(sql + "\n")
    return root


@pytest.mark.parametrize("name", sorted(BAD_SEGMENTS))
def test_bad_segment_fails_clearly_and_writes_nothing(name: str, project: Path, tmp_path: Path) -> None:
    db = tmp_path / "upstream.duckdb"
    output = run_dbt(db, "run", "--select", name, project_dir=project, expect_failure=True)
    assert BAD_SEGMENTS[name][1] in " ".join(output.split())
    assert query(db, "select count(*) from main.segment_event_log")[0][0] == 0
    assert query(db, "select count(*) from main.segment_run_log")[0][0] == 0
