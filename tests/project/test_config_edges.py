"""Configuration the way users write it: a list or map var switched off with an empty value, a
natural selection such as `+id_graph`, and a declared identifier type (for an extra source) that
is added without repeating the built-in map and that the hub guard can limit."""

import json
from pathlib import Path

import duckdb
import pytest

from datagen.generate import GenerationConfig, generate
from tests.support.identity_scenarios import identify_rows
from tests.support.warehouse import query, run_dbt, write_raw_tables

EMPTIED = {
    "upstream__identity_reserved_email_domains": [],
    "upstream__junk_placeholders": [],
    "upstream__identity_hub_limits": {},
    "upstream__identity_trait_limits": {},
    "upstream__profile_history_traits": [],
    "upstream__identity_extra_sources": [],
    "upstream__profile_trait_sources": [],
}


@pytest.fixture(scope="module")
def raw_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("config_edges") / "upstream.duckdb"
    generate(GenerationConfig(db_path=db, events=3_000, seed=5))
    return db


def _copy(db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "upstream.duckdb"
    copy.write_bytes(db.read_bytes())
    return copy


def test_every_list_and_map_var_accepts_an_empty_value(raw_only: Path, tmp_path: Path) -> None:
    db = _copy(raw_only, tmp_path)
    # Unit tests pin the default vars they were written for: --vars would override them.
    run_dbt(db, "build", "--exclude-resource-type", "unit_test", "--vars", json.dumps(EMPTIED))
    assert query(db, "select count(*) from id_graph")[0][0] > 0
    excluded = "select distinct exclusion_reason from identity_excluded_identifiers"
    reasons = {row[0] for row in query(db, excluded)}
    assert "reserved_email_domain" not in reasons and not any(r.startswith("hub_") for r in reasons)


def test_a_selection_of_the_graph_and_its_parents_builds(raw_only: Path, tmp_path: Path) -> None:
    db = _copy(raw_only, tmp_path)
    run_dbt(db, "build", "--select", "+id_graph")
    assert query(db, "select count(*) from id_graph")[0][0] > 0


CRM_SOURCE = {
    "name": "crm_contacts",
    "relation": "raw.crm_contacts",
    "key_column": "contact_id",
    "occurred_at_column": "updated_at",
    "identifiers": [{"column": "crm_id", "id_type": "crm_id"}, {"column": "email", "id_type": "email"}],
}


def test_a_declared_type_needs_no_copy_of_the_map_and_the_hub_guard_limits_it(tmp_path: Path) -> None:
    db = tmp_path / "crm.duckdb"
    web = identify_rows({"web": [{"anonymous_id": "web-a1", "email": "dana@gmail.com"}]})
    write_raw_tables(db, {"identifies": web})
    with duckdb.connect(str(db)) as con:
        con.execute(
            "create table raw.crm_contacts as select * from (values "
            "(1, 'CRM-001', 'dana@gmail.com', '2026-02-01 09:00:00'), "
            # one store inbox on three CRM records: a shared value, not a person
            "(2, 'CRM-002', 'store@mailbox.org', '2026-02-01 09:00:00'), "
            "(3, 'CRM-003', 'store@mailbox.org', '2026-02-01 09:00:00'), "
            "(4, 'CRM-004', 'store@mailbox.org', '2026-02-01 09:00:00')"
            ") as t (contact_id, crm_id, email, updated_at)"
        )
    variables = {
        "upstream__identity_extra_types": {"crm_id": {"priority": 2, "max_per_profile": 1}},
        "upstream__identity_extra_sources": [CRM_SOURCE],
        "upstream__identity_hub_limits": {"email": {"user_id": 3, "anonymous_id": 100, "crm_id": 2}},
    }
    run_dbt(db, "build", "--exclude-resource-type", "unit_test", "--vars", json.dumps(variables))
    linked = query(
        db,
        "select id_type from id_graph where profile_id = "
        "(select profile_id from id_graph where id_value = 'web-a1') order by 1",
    )
    assert linked == [("anonymous_id",), ("crm_id",), ("email",)]
    excluded = query(
        db,
        "select exclusion_reason, distinct_crm_ids from identity_excluded_identifiers "
        "where id_value = 'store@mailbox.org'",
    )
    assert excluded == [("hub_crm_ids", 3)]
