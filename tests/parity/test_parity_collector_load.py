"""The collector's load step writes the same raw tables on PostgreSQL as on DuckDB: every table,
column, type family and row, after a first load and after a second one that adds properties,
widens a column and updates users (`make test-postgres`; PostgreSQL from `make postgres-up`)."""

import json
import os
import random
from pathlib import Path

import pytest

from collector.loader import load
from collector.raw_duckdb import DuckDBRawTables
from collector.raw_postgres import PostgresRawTables
from tests.support.parity import duckdb_engine, postgres_engine
from tests.support.parity.compare import differences


def _messages(batch: int, count: int) -> list[dict]:
    """Every call type, with nested objects, arrays, numbers, booleans and a skewed device clock."""
    draw = random.Random(batch)
    messages = []
    for n in range(count):
        kind = ("track", "track", "identify", "page", "screen", "group", "alias")[n % 7]
        message = {
            "type": kind,
            "messageId": f"p{batch}-{n}",
            "anonymousId": f"anon-{n % 50}",
            "receivedAt": f"2026-12-0{batch}T10:{n % 60:02d}:00.000Z",
            "sentAt": f"2026-12-0{batch}T12:{n % 60:02d}:05.000Z",
            "timestamp": f"2026-12-0{batch}T12:{n % 60:02d}:00.000Z",
            "context": {"library": {"name": "parity"}, "page": {"url": f"https://shop/{n}"}},
            "_upstream_source": "web",
        }
        if n % 3 == 0:
            message["userId"] = f"user-{n % 40}"
        properties = {
            "price": round(draw.uniform(1, 100), 2),
            "quantity": draw.randint(1, 5),
            "gift": n % 2 == 0,
            "tags": ["a", "b"] if n % 4 == 0 else None,
            "dimensions": {"widthCm": draw.randint(1, 9)},
        }
        if batch == 2:
            properties["couponCode"] = f"C{n}"  # a new column
            properties["quantity"] = "several" if n % 10 == 0 else properties["quantity"]  # widens
        if kind == "track":
            message.update(event=("Order Completed", "Product Viewed")[n % 2], properties=properties)
        elif kind in ("identify", "group"):
            traits = {"email": f"p{n % 40}@example.com", "plan": ("free", "pro")[n % 2]}
            message.update(
                traits=traits, userId=f"user-{n % 40}" if kind == "identify" else message.get("userId")
            )
            if kind == "group":
                message["groupId"] = f"g-{n % 5}"
        elif kind in ("page", "screen"):
            message.update(name=f"Screen {n % 4}", properties=properties)
        else:
            message["previousId"] = f"anon-{n % 50}"
        messages.append({key: value for key, value in message.items() if value is not None})
    return messages


def _land(folder: Path, name: str, messages: list[dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.ndjson").write_text("".join(json.dumps(message) + "\n" for message in messages))


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("collector_load_parity")
    database = f"upstream_collector_parity_{os.getpid()}"
    postgres_engine.recreate_database(database)
    env = postgres_engine.connection_env(database)
    settings = {
        "host": env["UPSTREAM_PG_HOST"],
        "port": int(env["UPSTREAM_PG_PORT"]),
        "user": env["UPSTREAM_PG_USER"],
        "password": env["UPSTREAM_PG_PASSWORD"],
        "dbname": database,
    }
    phases = []
    try:
        for batch in (1, 2):
            messages = _messages(batch, 700)
            for engine in ("duckdb", "postgres"):
                _land(root / engine / "landing", f"batch-{batch}", messages)
            duck = DuckDBRawTables(root / "duckdb" / "w.duckdb", "raw")
            try:
                load(root / "duckdb" / "landing", duck)
            finally:
                duck.close()
            pg = PostgresRawTables(settings, "raw")
            try:
                load(root / "postgres" / "landing", pg)
            finally:
                pg.close()
            phases.append(
                (
                    duckdb_engine.read_schema(root / "duckdb" / "w.duckdb", "raw"),
                    postgres_engine.read_schema(database, "raw"),
                )
            )
        yield phases
    finally:
        postgres_engine.drop_database(database)


@pytest.mark.parametrize("phase", [0, 1], ids=["first_load", "second_load"])
def test_postgres_raw_tables_equal_duckdb(loaded, phase):
    expected, actual = loaded[phase]
    assert {
        "tracks",
        "order_completed",
        "product_viewed",
        "identifies",
        "users",
        "pages",
        "screens",
        "groups",
        "aliases",
    } <= set(expected)
    assert set(actual) == set(expected)
    found = [differences(table, expected[table], actual[table]) for table in sorted(expected)]
    assert not [line for line in found if line], "\n\n".join(line for line in found if line)
    assert all(rows for _, rows in expected.values())
