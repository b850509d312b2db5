"""The base layer is incremental: a later build reads only the messages with a copy it
has not stored, yet a late copy of an old message is still a duplicate, bad rows are
quarantined once, however many builds re-read them, and copies stored before the window keep
their place."""

import duckdb
import pytest

from tests.support.warehouse import query, run_dbt, write_raw_tables


def _track(message_id: str, received_at: str, ip: str, anonymous_id: str = "anon-1") -> dict:
    return {
        "id": message_id,
        "anonymous_id": anonymous_id,
        "timestamp": received_at,
        "received_at": received_at,
        "event": "product_viewed",
        "context_ip": ip,
    }


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("incremental") / "upstream.duckdb"
    write_raw_tables(
        db,
        {
            "tracks": [
                _track("m-old", "2026-03-01T10:00:00Z", "10.0.0.1"),
                _track("m-other", "2026-03-01T11:00:00Z", "10.0.0.2"),
            ]
        },
    )
    _build_staging(db, "2026-03-02 00:00:00")
    with duckdb.connect(str(db)) as con:
        late_rows = [
            # A second copy of m-old, delivered 20 days later: outside the lookback window.
            ("m-old", "anon-1", "2026-03-21T10:00:00Z", "2026-03-21T10:00:00Z", "10.0.0.9"),
            # A second copy of m-other received inside the window: it has a copy not stored yet.
            ("m-other", "anon-1", "2026-03-01T11:00:00Z", "2026-03-01T12:00:00Z", "10.0.0.8"),
            # A third, its id padded with spaces: still m-other once trimmed, so read with the others.
            (" m-other ", "anon-1", "2026-03-01T11:00:00Z", "2026-03-01T12:30:00Z", "10.0.0.7"),
            ("m-new", "anon-2", "2026-03-21T11:00:00Z", "2026-03-21T11:00:00Z", "10.0.0.3"),
            ("null", "anon-3", "2026-03-21T12:00:00Z", "2026-03-21T12:00:00Z", "10.0.0.4"),  # junk id
            ("m-bad-arrival", "anon-4", "2026-03-21T12:00:00Z", "not a time", "10.0.0.5"),
        ]
        con.executemany(
            "insert into raw.tracks (id, anonymous_id, timestamp, received_at, context_ip, event) "
            "values (?, ?, ?, ?, ?, 'product_viewed')",
            late_rows,
        )
    _build_staging(db, "2026-03-22 00:00:00")
    first = _state(db)
    _build_staging(db, "2026-03-22 00:00:00")  # nothing new: the rows re-read every run stay single
    return first, _state(db)


def _build_staging(db, as_of: str) -> None:
    """Build the staging models as of `as_of`: nothing here reads a later stage."""
    run_dbt(
        db,
        "build",
        "--select",
        "models/staging",
        "--exclude-resource-type",
        "test",
        extra_env={"UPSTREAM_AS_OF": as_of},
    )


def _state(db) -> dict:
    return {
        "staged": query(db, "select message_id, ip_address from stg_segment__tracks order by 1"),
        "rejected": query(
            db, "select message_id, reason, copy_count from rejected_events order by 1 nulls first"
        ),
        "summary": query(
            db,
            "select raw_rows, staged_rows, duplicate_rows_dropped, rejected_rows "
            "from segment_load_summary where source_table = 'tracks'",
        ),
    }


def test_late_copy_of_an_old_message_stays_a_duplicate(rebuilt):
    first, _ = rebuilt
    assert first["staged"] == [
        ("m-bad-arrival", "10.0.0.5"),
        ("m-new", "10.0.0.3"),
        ("m-old", "10.0.0.1"),
        ("m-other", "10.0.0.2"),
    ]


def test_bad_rows_are_quarantined_once(rebuilt):
    first, second = rebuilt
    assert first["rejected"] == [(None, "missing_message_id", 1)]
    assert first["summary"] == [(8, 4, 3, 1)]
    assert second == first


def _insert_tracks(db, rows: list[dict]) -> None:
    with duckdb.connect(str(db)) as con:
        for row in rows:
            columns = ", ".join(f'"{name}"' for name in row)
            con.execute(
                f"insert into raw.tracks ({columns}) values ({', '.join('?' for _ in row)})",
                list(row.values()),
            )


@pytest.fixture(scope="module", params=["text", "timestamp"])
def window_moved_on(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """Messages staged long before the run's window, each getting a new copy in it; and a row
    without an id staged then too. The run takes the old copies from what it stored (it reads
    no raw row before the window): the result must be what a full rebuild makes of the same rows.
    Once with received_at as text (JSON loaders), once typed as the collector and Segment's
    loaders write it, which the window compares without parsing."""
    db = tmp_path_factory.mktemp("window-moved-on") / "upstream.duckdb"
    write_raw_tables(
        db,
        {
            "tracks": [
                _track("m-first", "2026-03-01T10:00:00Z", "10.0.0.1"),
                _track("m-twice", "2026-03-01T10:05:00Z", "10.0.0.2"),
                _track("m-twice", "2026-03-01T10:05:00Z", "10.0.0.3"),  # a second copy at the same instant
                _track("", "2026-03-01T11:00:00Z", "10.0.0.4"),  # no message id
            ]
        },
    )
    if request.param == "timestamp":
        with duckdb.connect(str(db)) as con:
            con.execute(
                "alter table raw.tracks alter received_at type timestamp "
                "using cast(received_at as timestamptz)"
            )
    _build_staging(db, "2026-03-02 00:00:00")
    # Moves the latest stored row on, so 2026-03-01 falls before the next run's window.
    _insert_tracks(db, [_track("m-later", "2026-03-20T10:00:00Z", "10.0.0.5")])
    _build_staging(db, "2026-03-21 00:00:00")
    _insert_tracks(
        db,
        [
            _track("m-first", "2026-03-21T10:00:00Z", "10.0.0.6"),  # a copy redelivered 20 days late
            _track("m-twice", "2026-03-21T10:00:00Z", "10.0.0.7"),
            _track("null", "2026-03-21T11:00:00Z", "10.0.0.8"),  # another row without an id
        ],
    )
    _build_staging(db, "2026-03-22 00:00:00")
    incremental = _state(db), _copies(db)
    run_dbt(db, "build", "--full-refresh", "--select", "models/staging", "--exclude-resource-type", "test")
    return incremental, (_state(db), _copies(db))


def _copies(db) -> list[tuple]:
    return query(
        db,
        "select message_id, copy_number, rejection_reason, context_ip from base_segment__tracks "
        "order by message_id nulls first, copy_number, context_ip",
    )


def test_copies_stored_before_the_window_keep_their_place(window_moved_on):
    (state, copies), _ = window_moved_on
    staged = dict(state["staged"])
    assert staged["m-first"] == "10.0.0.1" and staged["m-later"] == "10.0.0.5"
    # One of the two first copies: which one is staged is decided by the raw row's hash.
    assert staged["m-twice"] in {"10.0.0.2", "10.0.0.3"}
    assert [row for row in copies if row[0] == "m-first"] == [
        ("m-first", 1, None, "10.0.0.1"),
        ("m-first", 2, None, "10.0.0.6"),
    ]
    assert [row[1] for row in copies if row[0] == "m-twice"] == [1, 2, 3]
    # Both rows without an id stay quarantined, the one stored before the window included.
    assert state["rejected"] == [(None, "missing_message_id", 1)] * 2


def test_the_run_equals_a_full_rebuild(window_moved_on):
    incremental, rebuilt = window_moved_on
    assert incremental == rebuilt
