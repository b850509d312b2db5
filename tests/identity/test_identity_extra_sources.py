"""Extra identity sources are declared in YAML (a var), not coded."""

import json

import duckdb
import pytest

from tests.support.identity_scenarios import identify_rows
from tests.support.warehouse import query, run_dbt, write_raw_tables

TYPES = {
    "user_id": {"priority": 1, "max_per_profile": 1},
    "crm_id": {"priority": 2, "max_per_profile": 1},
    "email": {"priority": 3, "max_per_profile": 5},
    "phone": {"priority": 4, "max_per_profile": 5},
    "device_id": {"priority": 5, "max_per_profile": 20},
    "anonymous_id": {"priority": 6, "max_per_profile": 200},
}
CRM_SOURCE = {
    "name": "crm_contacts",
    "relation": "raw.crm_contacts",
    "key_column": "contact_id",
    "occurred_at_column": "updated_at",
    "identifiers": [
        {"column": "crm_id", "id_type": "crm_id"},
        {"column": "email", "id_type": "email"},
        {"column": "phone", "id_type": "phone"},
    ],
}


def test_declared_crm_table_links_web_and_store_identities(tmp_path):
    db = tmp_path / "crm.duckdb"
    write_raw_tables(
        db,
        {"identifies": identify_rows({"web": [{"anonymous_id": "web-a1", "email": "dana@gmail.com"}]})},
    )
    with duckdb.connect(str(db)) as con:
        con.execute(
            "create table raw.crm_contacts as select * from (values "
            "(1, 'CRM-001', ' DANA@GMAIL.COM', '(212) 555-0147', '2026-02-01 09:00:00'), "
            "(2, 'CRM-002', 'undefined', '212.555.0188', '2026-02-02 09:00:00')"
            ") as t (contact_id, crm_id, email, phone, updated_at)"
        )
    variables = json.dumps(
        {"upstream__identity_types": TYPES, "upstream__identity_extra_sources": [CRM_SOURCE]}
    )
    run_dbt(db, "build", "--vars", variables)

    rows = query(
        db,
        "select id_type, id_value from id_graph where profile_id = "
        "(select profile_id from id_graph where id_value = 'web-a1') order by id_type",
    )
    assert rows == [
        ("anonymous_id", "web-a1"),
        ("crm_id", "CRM-001"),
        ("email", "dana@gmail.com"),
        ("phone", "+12125550147"),
    ]
    # The placeholder email of the second contact is no identifier; its phone and crm id are.
    second = query(db, "select id_type, id_value from id_graph where id_value in ('CRM-002', '+12125550188')")
    assert len(second) == 2
    assert query(db, "select count(*) from id_graph where id_value = 'undefined'") == [(0,)]


def test_undeclared_id_type_is_a_clear_error(tmp_path):
    db = tmp_path / "bad.duckdb"
    variables = json.dumps({"upstream__identity_extra_sources": [CRM_SOURCE]})
    with pytest.raises(AssertionError, match="id_type 'crm_id' is not declared in upstream__identity_types"):
        run_dbt(db, "compile", "--select", "int_identifier_mentions", "--vars", variables)
