"""An edited blocklist seed takes effect on the next incremental build (real dbt builds).

The validation model writes the seed's rules into its SQL when it runs, so this checks that a
rule added later is read, that exact rules ignore case, and that a pattern holding a quote and a
backslash reaches the engine intact.
"""

from pathlib import Path

import pytest

from tests.identity_scenarios import identify_rows
from tests.warehouse import copy_project, query, run_dbt, write_raw_tables

ADDED_RULES = (
    "email,exact,KIM.LEE@shop.io,an exact rule compares case-insensitively\n"
    # Matches parent@gmail.com only if the quote and the backslash survive quoting.
    "email,regex,^par'?ent\\.?@gmail[.]com$,a quote and a backslash in a pattern\n"
)
BUILD = ("build", "--exclude-resource-type", "test", "unit_test")


def exclusion(db: Path, id_type: str, value: str) -> list[tuple]:
    sql = "select exclusion_reason from int_identifiers_validated where id_type = ? and id_value = ?"
    return query(db, sql, [id_type, value])


def in_graph(db: Path, id_type: str, value: str) -> bool:
    sql = "select count(*) from id_graph where id_type = ? and id_value = ?"
    return query(db, sql, [id_type, value])[0][0] > 0


@pytest.fixture(scope="module")
def edited_warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """Built with the shipped seed, then built again after rules were added to it."""
    root = tmp_path_factory.mktemp("blocklist_edit")
    project = copy_project(root / "project")
    db = root / "upstream.duckdb"
    write_raw_tables(db, {"identifies": identify_rows()})
    run_dbt(db, *BUILD, project_dir=project)
    before = {value: exclusion(db, "email", value) for value in ("kim.lee@shop.io", "parent@gmail.com")}
    with (project / "seeds" / "identity_blocklist.csv").open("a") as seed:
        seed.write(ADDED_RULES)
    run_dbt(db, *BUILD, project_dir=project)
    return db, before


def test_added_rules_were_not_in_force_before(edited_warehouse):
    _, before = edited_warehouse
    assert before == {"kim.lee@shop.io": [(None,)], "parent@gmail.com": [(None,)]}


@pytest.mark.parametrize("value", ["kim.lee@shop.io", "parent@gmail.com"])
def test_added_rules_exclude_on_the_next_build(edited_warehouse, value):
    db, _ = edited_warehouse
    assert exclusion(db, "email", value) == [("blocklisted",)]
    assert not in_graph(db, "email", value)


def test_other_identifiers_stay_linked(edited_warehouse):
    db, _ = edited_warehouse
    assert exclusion(db, "email", "teen@gmail.com") == [(None,)]
    assert in_graph(db, "email", "teen@gmail.com")
