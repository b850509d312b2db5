"""Events from the real SDKs (segment-analytics-python and rudder-sdk-python from PyPI) go
through the collector, the load step and `dbt build` to raw rows, the identity graph and a
profile: the collector speaks the API the SDKs were written for, and the raw layout it writes is
the one the models read."""

import pytest
from rudderstack.analytics.client import Client as RudderClient
from segment.analytics.client import Client as SegmentClient

from tests.support.collector import WRITE_KEYS, as_of_after_now, load_landing, running_collector
from tests.support.warehouse import query, run_dbt

PEOPLE = {
    "segment": {"anonymous_id": "anon-seg-1", "user_id": "user-seg-1", "email": "Ada@Mailbox.org"},
    "rudder": {"anonymous_id": "anon-rud-1", "user_id": "user-rud-1", "email": "grace@mailbox.org"},
}


def _send(client, person: dict, order_id: str) -> None:
    """A visitor browses anonymously, signs in, and buys: the calls a shop's server makes."""
    client.page(
        anonymous_id=person["anonymous_id"], name="Home", properties={"path": "/", "url": "https://shop/"}
    )
    client.track(
        anonymous_id=person["anonymous_id"],
        event="Product Added",
        properties={"product_id": "p-1", "sku": "SKU-1", "price": 20.5, "quantity": 2, "cart_id": "c-1"},
    )
    client.identify(
        user_id=person["user_id"],
        anonymous_id=person["anonymous_id"],
        traits={"email": person["email"], "firstName": "Ada", "address": {"city": "London"}},
    )
    client.track(
        user_id=person["user_id"],
        event="Order Completed",
        properties={
            "order_id": order_id,
            "total": 41.0,
            "revenue": 41.0,
            "currency": "EUR",
            "products": [{"product_id": "p-1", "sku": "SKU-1", "price": 20.5, "quantity": 2}],
        },
    )
    client.flush()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("collector_sdks")
    with running_collector(root / "landing") as collector:
        segment = SegmentClient(WRITE_KEYS["server"], host=collector.url, gzip=True, max_retries=2)
        _send(segment, PEOPLE["segment"], "order-seg-1")
        rudder = RudderClient(WRITE_KEYS["web"], host=collector.url, max_retries=2)
        _send(rudder, PEOPLE["rudder"], "order-rud-1")
        segment.shutdown()
        rudder.shutdown()
    db = root / "upstream.duckdb"
    load_landing(root / "landing", db)
    run_dbt(db, "build", "--vars", as_of_after_now())
    return db


@pytest.mark.parametrize("sdk", ["segment", "rudder"])
def test_every_call_lands_in_its_raw_table(warehouse, sdk):
    person = PEOPLE[sdk]
    source = "server" if sdk == "segment" else "web"
    rows = query(
        warehouse,
        "select 'pages', count(*) from raw.pages where anonymous_id = ? union all "
        "select 'product_added', count(*) from raw.product_added where anonymous_id = ? union all "
        "select 'identifies', count(*) from raw.identifies where user_id = ? union all "
        "select 'order_completed', count(*) from raw.order_completed where user_id = ? union all "
        "select 'tracks', count(*) from raw.tracks where coalesce(user_id, anonymous_id) in (?, ?) union all "
        "select 'users', count(*) from raw.users where id = ?",
        [person["anonymous_id"]] * 2
        + [person["user_id"]] * 2
        + [person["anonymous_id"], person["user_id"]]
        + [person["user_id"]],
    )
    assert dict(rows) == {
        "pages": 1,
        "product_added": 1,
        "identifies": 1,
        "order_completed": 1,
        "tracks": 2,
        "users": 1,
    }
    sources = query(
        warehouse,
        "select distinct upstream_source from raw.identifies where user_id = ?",
        [person["user_id"]],
    )
    assert sources == [(source,)]


def test_properties_and_traits_are_columns_as_segment_writes_them(warehouse):
    order = query(
        warehouse,
        "select order_id, total, currency, products, event, event_text from raw.order_completed "
        "where user_id = ?",
        [PEOPLE["segment"]["user_id"]],
    )
    assert order[0][:3] == ("order-seg-1", 41.0, "EUR")
    assert '"sku":"SKU-1"' in order[0][3]  # arrays are kept as JSON text
    assert order[0][4:] == ("order_completed", "Order Completed")
    identify = query(
        warehouse,
        "select email, first_name, address_city, context_library_name from raw.identifies where user_id = ?",
        [PEOPLE["segment"]["user_id"]],
    )
    assert identify == [("Ada@Mailbox.org", "Ada", "London", "analytics-python")]


@pytest.mark.parametrize("sdk", ["segment", "rudder"])
def test_the_visitor_and_the_customer_are_one_profile(warehouse, sdk):
    person = PEOPLE[sdk]
    profiles = query(
        warehouse,
        "select distinct profile_id from main.id_graph where (id_type, id_value) in "
        "(('anonymous_id', ?), ('user_id', ?), ('email', ?))",
        [person["anonymous_id"], person["user_id"], person["email"].lower()],
    )
    assert len(profiles) == 1
    profile = query(
        warehouse,
        "select email, order_count, lifetime_revenue from main.profiles where profile_id = ?",
        [profiles[0][0]],
    )
    assert profile == [(person["email"].lower(), 1, 41.0)]
