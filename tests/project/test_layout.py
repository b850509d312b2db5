"""The stage order is written once (orchestration/translator.py STAGES); the model, macro and test
folders, dbt's config blocks, the Dagster groups and the diagrams in the docs follow it."""

import re

import yaml

from orchestration.translator import GROUPS, STAGES
from tests.support.warehouse import PROJECT_ROOT
from upstream_config.warehouse import DEFAULT_PATH, DEFAULT_TARGET

# Macro folders that serve every stage rather than one.
SHARED_MACRO_FOLDERS = {"cross_db", "warehouse", "normalize", "data_tests"}
# Test folders beside the stages: the collector, the reverse ETL, Dagster, the engines, the project
# as a whole, dbt's own tests, and the helpers.
OTHER_TEST_FOLDERS = {"collector", "reverse_etl", "orchestration", "parity", "project", "dbt", "support"}


def _folders(root: str) -> set[str]:
    return {
        path.name for path in (PROJECT_ROOT / root).iterdir() if path.is_dir() and path.name != "__pycache__"
    }


def test_each_stage_is_one_folder_of_models_macros_and_tests() -> None:
    assert _folders("models") == set(STAGES)
    assert _folders("macros") - SHARED_MACRO_FOLDERS <= set(STAGES)
    assert _folders("tests") == set(STAGES) | OTHER_TEST_FOLDERS


def test_dbt_config_blocks_follow_the_stage_order() -> None:
    project = yaml.safe_load((PROJECT_ROOT / "dbt_project.yml").read_text())
    blocks = [key for key in project["models"]["upstream"] if not key.startswith("+")]
    assert blocks == list(STAGES)


def test_dagster_groups_run_from_raw_through_the_stages_to_the_syncs() -> None:
    assert ("raw", *STAGES, "syncs") == GROUPS


def _order_in(text: str) -> list[str]:
    """Stages in the order a diagram first names them as models/<stage>/ or as a bare word."""
    positions = {}
    for stage in STAGES:
        match = re.search(rf"models/{stage}/", text) or re.search(rf"\b{stage}\b", text)
        assert match, f"the diagram does not name {stage}"
        positions[stage] = match.start()
    return sorted(STAGES, key=positions.get)


def _diagram(path: str, heading: str) -> str:
    text = (PROJECT_ROOT / path).read_text()
    section = text[text.index(heading) :]
    return section[section.index("```") + 3 :].split("```", 1)[0]


def test_the_diagrams_in_the_docs_follow_the_stage_order() -> None:
    for path, heading in (("README.md", "## How data flows"), ("docs/design.md", "## Data flow")):
        assert _order_in(_diagram(path, heading)) == list(STAGES), path


def test_profiles_yml_and_the_python_settings_agree_on_the_defaults() -> None:
    profiles = (PROJECT_ROOT / "profiles.yml").read_text()
    assert f"env_var('UPSTREAM_TARGET', '{DEFAULT_TARGET}')" in profiles
    relative = DEFAULT_PATH.relative_to(PROJECT_ROOT).as_posix()
    assert f"env_var('UPSTREAM_DUCKDB_PATH', '{relative}')" in profiles
