"""Traits from other tables are declared in YAML and reach profiles through the identity graph."""

import json

import duckdb

from tests.support.identity_scenarios import identify_rows
from tests.support.warehouse import query, run_dbt, write_raw_tables

LOYALTY = {
    "name": "loyalty",
    "relation": "raw.loyalty_members",
    "key_column": "member_email",
    "key_id_type": "email",
    "updated_at_column": "updated_at",
    "columns": ["loyalty_tier", "points"],
}


def test_loyalty_table_keyed_by_email_joins_profiles(tmp_path):
    db = tmp_path / "loyalty.duckdb"
    write_raw_tables(
        db,
        {
            "identifies": identify_rows(
                {
                    "member": [{"anonymous_id": "loy-a1", "user_id": "loy-u1", "email": "gold@gmail.com"}],
                    "stranger": [{"anonymous_id": "loy-a2"}],
                }
            )
        },
    )
    with duckdb.connect(str(db)) as con:
        con.execute(
            "create table raw.loyalty_members as select * from (values "
            "(' GOLD@gmail.com', 'silver', 100, timestamp '2026-01-01'), "
            "('gold@gmail.com', 'gold', 250, timestamp '2026-02-01'), "
            "('nobody@gmail.com', 'bronze', 5, timestamp '2026-02-01')"
            ") as t (member_email, loyalty_tier, points, updated_at)"
        )
    run_dbt(db, "build", "--vars", json.dumps({"upstream__profile_trait_sources": [LOYALTY]}))

    member = query(
        db,
        "select p.extra_traits, x.loyalty__loyalty_tier, x.loyalty__points from profiles p "
        "join profile_extra_traits x using (profile_id) where p.user_id = 'loy-u1'",
    )
    assert len(member) == 1
    extra_json, tier, points = member[0]
    assert (tier, points) == ("gold", 250), "the latest row wins when several match"
    assert json.loads(extra_json) == {"loyalty__loyalty_tier": "gold", "loyalty__points": 250}
    stranger = query(
        db,
        "select p.extra_traits from profiles p join id_graph g using (profile_id) "
        "where g.id_value = 'loy-a2'",
    )
    assert json.loads(stranger[0][0]) == {"loyalty__loyalty_tier": None, "loyalty__points": None}
