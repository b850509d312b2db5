"""At-least-once delivery: one staged row per message id, the earliest received copy wins."""

from tests.support.warehouse import query


def test_earliest_received_copy_wins(crafted_warehouse):
    rows = query(
        crafted_warehouse,
        "select cast(received_at as varchar), ip_address from stg_segment__tracks "
        "where message_id = 'dup-three-copies'",
    )
    assert rows == [("2026-03-01 12:00:01", "10.0.0.1")]


def test_broken_first_copy_is_quarantined_and_good_copy_staged(crafted_warehouse):
    staged = query(
        crafted_warehouse,
        "select ip_address from stg_segment__tracks where message_id = 'dup-first-copy-broken'",
    )
    rejected = query(
        crafted_warehouse,
        "select reason from rejected_events where message_id = 'dup-first-copy-broken'",
    )
    assert staged == [("10.0.0.8",)]
    assert rejected == [("unparseable_timestamp",)]


def test_duplicates_dropped_are_counted(crafted_warehouse):
    (summary,) = query(
        crafted_warehouse,
        "select raw_rows, staged_rows, duplicate_rows_dropped, rejected_rows "
        "from segment_load_summary where source_table = 'tracks'",
    )
    assert summary == (6, 3, 2, 1)


def test_users_keep_latest_traits(crafted_warehouse):
    rows = query(crafted_warehouse, "select user_id, email from stg_segment__users order by user_id")
    assert rows == [("u-dup", "new@shop.io"), ("u-single", "one@shop.io")]
