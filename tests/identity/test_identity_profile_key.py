"""profile_id is a keyed hash: each warehouse draws its own secret key on its first build, so a
list of emails cannot be hashed into the ids channels receive; the key survives --full-refresh so
new data and rebuilds never rename a profile; a warehouse that had profiles before the key existed
keeps its names."""

import hashlib
from pathlib import Path

import duckdb
import pytest

from tests.support.identity_scenarios import identify_rows
from tests.support.warehouse import query, run_dbt, write_raw_tables

PERSON = {"web": [{"anonymous_id": "key-a1", "user_id": "key-u1", "email": "key.person@gmail.com"}]}


def _unkeyed(id_type: str, id_value: str) -> str:
    return hashlib.md5(f"{id_type}:{id_value}".encode()).hexdigest()


def _profile(db: Path) -> str:
    return query(db, "select profile_id from id_graph where id_value = 'key-u1'")[0][0]


@pytest.fixture
def drawn_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds that draw their own key, as a real warehouse does (the suite fixes one)."""
    monkeypatch.delenv("UPSTREAM_PROFILE_ID_KEY", raising=False)


def _build(db: Path, *args: str) -> None:
    run_dbt(db, "build", "--select", "+id_graph", *args)


def test_each_warehouse_draws_its_own_key(tmp_path: Path, drawn_key: None) -> None:
    ids = []
    for name in ("one", "two"):
        db = tmp_path / name / "upstream.duckdb"
        db.parent.mkdir()
        write_raw_tables(db, {"identifies": identify_rows(PERSON)})
        _build(db)
        ids.append(_profile(db))
    assert ids[0] != ids[1]
    roots = [_unkeyed(t, v) for t in ("user_id", "anonymous_id", "email") for v in ("key-u1", "key-a1")]
    assert not set(ids) & set(roots)
    key = query(tmp_path / "one" / "upstream.duckdb", "select key_value from int_profile_id_key")
    assert len(key) == 1 and len(key[0][0]) == 32


def test_the_key_survives_new_data_and_a_full_refresh(tmp_path: Path, drawn_key: None) -> None:
    db = tmp_path / "upstream.duckdb"
    write_raw_tables(db, {"identifies": identify_rows(PERSON)})
    _build(db)
    first = _profile(db)
    _build(db, "--full-refresh")
    assert _profile(db) == first


def test_a_warehouse_named_before_the_key_keeps_its_names(tmp_path: Path, drawn_key: None) -> None:
    db = tmp_path / "upstream.duckdb"
    write_raw_tables(db, {"identifies": identify_rows(PERSON)})
    _build(db)
    # As a warehouse built before the key model existed: profiles, and no key table.
    with duckdb.connect(str(db)) as con:
        con.execute("drop table int_profile_id_key")
    _build(db, "--full-refresh")
    legacy = _profile(db)
    assert legacy in {_unkeyed("anonymous_id", "key-a1"), _unkeyed("user_id", "key-u1")}
    _build(db)
    assert _profile(db) == legacy
    assert query(db, "select key_value from int_profile_id_key") == [("",)]
