"""The four shipped segments scored against the generator's ground truth.

Truth is per person, from the events and orders the generator wrote (planted rejects left out).
A person whose identifiers landed in several profiles (a device that never logged in stays its
own profile) has no single profile to compare with, so scoring covers the people who are exactly
one profile — most of them; the test says how many.
"""

from datetime import datetime
from pathlib import Path

import pytest

from datagen.generate import GenerationConfig, generate
from tests.support.warehouse import build_as_of, query

AS_OF = "2026-10-25 12:00:00"
MIN_PRECISION = 0.99
MIN_RECALL = 0.99

TRUTH_SQL = f"""
with
as_of as (select cast('{AS_OF}' as timestamp) as t),
events as (
    select person_id, source_table, occurred_at
    from truth.events
    where message_id not in (select message_id from truth.planted_rejects where message_id is not null)
      and occurred_at <= (select t from as_of)
),
orders as (
    select person_id, ordered_at, revenue from truth.orders
    where message_id not in (select message_id from truth.planted_rejects where message_id is not null)
      and ordered_at <= (select t from as_of)
),
person_orders as (
    select person_id, count(*) as orders, sum(revenue) as revenue, max(ordered_at) as last_order_at
    from orders group by person_id
),
last_checkouts as (
    select person_id, max(occurred_at) as last_checkout_at from events
    where source_table = 'checkout_started'
      and occurred_at >= (select t from as_of) - interval 24 hour
    group by person_id
),
first_seen as (select person_id, min(occurred_at) as first_seen_at from events group by person_id)
select 'cart_abandoned_24h' as segment_name, c.person_id
from last_checkouts as c left join person_orders as o using (person_id)
where o.last_order_at is null or o.last_order_at < c.last_checkout_at
union all
select 'high_value_recent', person_id from person_orders
where last_order_at >= (select t from as_of) - interval 30 day and round(revenue, 2) > 500
union all
select 'new_visitors_7d', person_id from first_seen
where first_seen_at >= (select t from as_of) - interval 7 day
union all
select 'lapsed_customers', person_id from person_orders
where last_order_at < (select t from as_of) - interval 90 day
"""

SINGLE_PROFILE_PEOPLE_SQL = """
select t.person_id, min(g.profile_id) as profile_id
from truth.identifiers as t
inner join main.id_graph as g using (id_type, id_value)
group by t.person_id
having count(distinct g.profile_id) = 1
"""


@pytest.fixture(scope="module")
def segments_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five months of generated data (so lapsed customers exist), built as of AS_OF."""
    db = tmp_path_factory.mktemp("segments_truth") / "upstream.duckdb"
    generate(GenerationConfig(db_path=db, events=300_000, seed=5, start_at=datetime(2026, 6, 1), days=150))
    build_as_of(db, AS_OF)
    return db


def _score(db: Path, segment: str) -> dict:
    (true_pos, predicted, actual, people) = query(
        db,
        f"""
        with single as ({SINGLE_PROFILE_PEOPLE_SQL}),
        truth as (select person_id from ({TRUTH_SQL}) where segment_name = ?),
        predicted as (
            select single.person_id from main.segment_membership as m
            inner join single using (profile_id)
            where m.segment_name = ?
        ),
        actual as (select person_id from truth inner join single using (person_id))
        select
            (select count(*) from predicted where person_id in (select person_id from actual)),
            (select count(*) from predicted),
            (select count(*) from actual),
            (select count(*) from single)
        """,
        [segment, segment],
    )[0]
    return {"true_pos": true_pos, "predicted": predicted, "actual": actual, "people": people}


@pytest.mark.parametrize(
    "segment", ["cart_abandoned_24h", "high_value_recent", "new_visitors_7d", "lapsed_customers"]
)
def test_shipped_segment_matches_ground_truth(segments_warehouse: Path, segment: str) -> None:
    score = _score(segments_warehouse, segment)
    assert score["actual"] >= 20, f"too few true members to score {segment}: {score}"
    precision = score["true_pos"] / score["predicted"]
    recall = score["true_pos"] / score["actual"]
    assert precision >= MIN_PRECISION and recall >= MIN_RECALL, f"{segment}: {score}"


def test_most_people_are_scored(segments_warehouse: Path) -> None:
    (people,) = query(segments_warehouse, "select count(*) from truth.persons")[0]
    scored = _score(segments_warehouse, "new_visitors_7d")["people"]
    assert scored / people >= 0.8
