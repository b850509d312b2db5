"""An edited blocklist seed takes effect on the next incremental build, and a malformed rule
stops the build before the validation model runs (real dbt builds).

The validation model writes the seed's rules into its SQL when it runs, so this checks that a
rule added later is read, that exact rules ignore case, and that a pattern holding a quote and a
backslash reaches the engine intact.
"""

import re
from pathlib import Path

import pytest

from tests.support.identity_scenarios import identify_rows
from tests.support.warehouse import copy_project, query, run_dbt, write_raw_tables

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


def built_project_copy(root: Path, *select: str) -> tuple[Path, Path]:
    """A project copy and a warehouse built from it with the shipped seed."""
    project = copy_project(root / "project")
    db = root / "upstream.duckdb"
    write_raw_tables(db, {"identifies": identify_rows()})
    run_dbt(db, *BUILD, *select, project_dir=project)
    return project, db


def append_rules(project: Path, rules: str) -> None:
    with (project / "seeds" / "identity_blocklist.csv").open("a") as seed:
        seed.write(rules)


@pytest.fixture(scope="module")
def edited_warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """Built with the shipped seed, then built again after rules were added to it."""
    project, db = built_project_copy(tmp_path_factory.mktemp("blocklist_edit"))
    before = {value: exclusion(db, "email", value) for value in ("kim.lee@shop.io", "parent@gmail.com")}
    append_rules(project, ADDED_RULES)
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


MALFORMED_RULES = (
    "email,regexp,^qa@,a typo in match_type\n"
    "emial,exact,qa@shop.io,a typo in id_type\n"
    "phone,exact,,no pattern\n"
)


@pytest.fixture(scope="module")
def malformed_rules_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A build whose blocklist seed gained rules the validation model could not apply."""
    root = tmp_path_factory.mktemp("blocklist_malformed")
    project, db = built_project_copy(root, "--select", "+int_identifiers_validated")
    append_rules(project, MALFORMED_RULES)
    select = ("--select", "identity_blocklist", "int_identifiers_validated")
    output = run_dbt(
        db,
        "build",
        *select,
        "--store-failures",
        "--exclude-resource-type",
        "unit_test",
        project_dir=project,
        expect_failure=True,
    )
    return db, output


def test_malformed_rules_fail_the_build_before_validation_runs(malformed_rules_build):
    _, output = malformed_rules_build
    assert "FAIL 3 assert_blocklist_rules_are_well_formed" in output
    assert re.search(r"SKIP relation \S*\bint_identifiers_validated\b", output)


def test_malformed_rules_are_listed_with_the_problem(malformed_rules_build):
    db, _ = malformed_rules_build
    rows = query(
        db,
        "select id_type, match_type, pattern, problem"
        " from main_dbt_test__audit.assert_blocklist_rules_are_well_formed order by id_type",
    )
    assert rows == [
        ("email", "regexp", "^qa@", "match_type is not exact or regex"),
        ("emial", "exact", "qa@shop.io", "id_type is not * or a type declared in upstream__identity_types"),
        ("phone", "exact", None, "pattern is empty"),
    ]
