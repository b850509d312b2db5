"""Without a pinned instant a build computes as of its own start, to the microsecond: cut to the
second, an event that arrived in the second before the run started would wait a whole run."""

from datetime import UTC, datetime

import pytest

from tests.support.warehouse import query, run_dbt, write_raw_tables


def test_the_default_instant_is_the_run_start_to_the_microsecond(tmp_path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("UPSTREAM_AS_OF", raising=False)
    db = tmp_path / "upstream.duckdb"
    arrived = datetime.now(UTC).replace(tzinfo=None)
    at = arrived.isoformat(timespec="microseconds") + "Z"
    write_raw_tables(
        db, {"pages": [{"id": "asof-1", "anonymous_id": "asof-visitor", "timestamp": at, "received_at": at}]}
    )
    run_dbt(db, "build", "--select", "+new_visitors_7d", "+segment_membership")
    # A new visitor enters new_visitors_7d as of the run: the instant the run computed with.
    (entered_at,) = query(
        db, "select entered_at from main.segment_membership where segment_name = 'new_visitors_7d'"
    )[0]
    assert entered_at > arrived
    assert entered_at.microsecond != 0  # one chance in a million of a start exactly on the second
