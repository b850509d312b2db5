"""The documentation a user reads: every link resolves, no page points at a file that does not exist
or at the development tracker, the configuration reference names every setting the product reads,
and each example sync file is one the reverse ETL accepts."""

import re
from pathlib import Path

import pytest
import yaml

from reverse_etl import config
from reverse_etl.destinations import TYPES, build
from tests.support.warehouse import PROJECT_ROOT
from upstream_cli import lineage

DOC_PAGES = [
    PROJECT_ROOT / "README.md",
    PROJECT_ROOT / "BENCHMARKS.md",
    *sorted((PROJECT_ROOT / "docs").glob("*.md")),
]
# What the product ships: its text must explain itself without the tracker that produced it.
PRODUCT_FILES = [
    path
    for folder in (
        "models",
        "macros",
        "collector",
        "orchestration",
        "reverse_etl",
        "upstream_cli",
        "upstream_config",
        "datagen",
        "bench",
        "docs",
        "seeds",
        "analyses",
        "tests",
        "scripts",
    )
    for path in (PROJECT_ROOT / folder).rglob("*")
    if path.is_file()
    and path.suffix in {".py", ".sql", ".yml", ".yaml", ".md", ".csv", ".sh"}
    and "results" not in path.parts
    and "node_modules" not in path.parts  # npm's packages, not ours
    and path.name != "LOG.md"
] + [
    PROJECT_ROOT / name
    for name in (
        "README.md",
        "BENCHMARKS.md",
        "Makefile",
        "dbt_project.yml",
        "profiles.yml",
        "pyproject.toml",
        "requirements.txt",
        "requirements-spark.txt",
    )
]
PROCESS_WORDS = re.compile(
    r"\b(issue|issues)\s*#?\d+|#\d{2,}\b|\b(?-i:DESIGN)\.md\b"
    r"|\bwork session\b|\bthis session\b|\bissue tracker\b",
    re.I,
)
LINK = re.compile(r"\[[^\]]*\]\(([^)]+)\)")


def _links(page: Path) -> list[str]:
    return [
        target for target in LINK.findall(page.read_text()) if not target.startswith(("http://", "https://"))
    ]


@pytest.mark.parametrize("page", DOC_PAGES, ids=lambda page: page.name)
def test_every_link_resolves(page: Path) -> None:
    missing = []
    for target in _links(page):
        path_part, _, anchor = target.partition("#")
        resolved = (page.parent / path_part).resolve() if path_part else page
        if not resolved.exists():
            missing.append(target)
        elif anchor and resolved.suffix == ".md":
            headings = {
                re.sub(r"[^a-z0-9 _-]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
                for line in resolved.read_text().splitlines()
                if line.startswith("#")
            }
            if anchor not in headings:
                missing.append(target)
    assert not missing, f"{page.name} links to what does not exist: {missing}"


REPO_PATH = re.compile(
    r"`((?:models|macros|tests|orchestration|reverse_etl|upstream_cli|upstream_config|datagen|bench|docs"
    r"|seeds|analyses|scripts)/[\w./-]*)`"
)


@pytest.mark.parametrize("page", DOC_PAGES, ids=lambda page: page.name)
def test_every_path_a_page_names_exists(page: Path) -> None:
    missing = [
        path
        for path in REPO_PATH.findall(page.read_text())
        if not (PROJECT_ROOT / path.rstrip(".")).exists()
        and not (PROJECT_ROOT / path).with_suffix("").exists()
    ]
    assert not missing, f"{page.name} names paths that do not exist: {missing}"


def test_no_development_process_words_in_the_product() -> None:
    hits = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()[:100]}"
        for path in PRODUCT_FILES
        if path != Path(__file__)
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if PROCESS_WORDS.search(line)
    ]
    assert not hits, "say why instead of pointing at the tracker:\n" + "\n".join(hits)


def test_the_readme_is_short() -> None:
    assert len((PROJECT_ROOT / "README.md").read_text().splitlines()) <= 200
    assert len((PROJECT_ROOT / "BENCHMARKS.md").read_text().splitlines()) < 150


def _vars_in_use() -> set[str]:
    pattern = re.compile(r"var\(\s*['\"](upstream__[a-z_]+)['\"]")
    used = {
        name
        for folder in ("models", "macros")
        for path in (PROJECT_ROOT / folder).rglob("*.sql")
        for name in pattern.findall(path.read_text())
    }
    declared = yaml.safe_load((PROJECT_ROOT / "dbt_project.yml").read_text())["vars"]
    return used | set(declared)


def _environment_in_use() -> set[str]:
    pattern = re.compile(r"""["'`](UPSTREAM_[A-Z0-9_]*[A-Z0-9]|DAGSTER_HOME)["'`]""")
    sources = [
        path
        for folder in (
            "collector",
            "orchestration",
            "reverse_etl",
            "upstream_cli",
            "upstream_config",
            "datagen",
            "macros",
            "models",
        )
        for path in (PROJECT_ROOT / folder).rglob("*")
        if path.suffix in {".py", ".sql", ".yml"}
    ] + [PROJECT_ROOT / "profiles.yml", PROJECT_ROOT / "dbt_project.yml"]
    return {name for path in sources for name in pattern.findall(path.read_text())}


def test_the_configuration_reference_names_every_setting() -> None:
    reference = (PROJECT_ROOT / "docs" / "configuration.md").read_text()
    missing = sorted(name for name in _vars_in_use() | _environment_in_use() if f"`{name}`" not in reference)
    assert not missing, f"docs/configuration.md does not describe: {missing}"


def _model_columns() -> dict[str, set[str]]:
    document = yaml.safe_load(
        (PROJECT_ROOT / "models" / "activation" / "_activation__models.yml").read_text()
    )
    return {
        model["name"]: {column["name"] for column in model.get("columns", [])} for model in document["models"]
    }


@pytest.mark.parametrize("destination_type", sorted(TYPES))
def test_each_destination_has_an_example_the_reverse_etl_accepts(
    destination_type: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = PROJECT_ROOT / "docs" / "examples" / f"{destination_type}.yml"
    syncs = config.load(path, TYPES)
    columns = _model_columns()
    for sync in syncs.values():
        assert sync.destination.type == destination_type
        assert sync.source in columns, f"{path.name}: {sync.source} is not an activation model"
        named_fields = [value for key, value in sync.destination.settings.items() if key.endswith("_field")]
        assert set(named_fields) <= columns[sync.source], (
            f"{path.name}: a *_field is not a column of {sync.source}"
        )
        for key, variable in vars(sync.destination).items():
            if key.endswith("_env") and variable:
                monkeypatch.setenv(variable, "whsec_dXBzdHJlYW0tZXhhbXBsZS1zZWNyZXQ=")
        for key, variable in sync.destination.settings.items():
            if key.endswith("_env"):
                monkeypatch.setenv(variable, "example-developer-token")
        assert build(sync).sync_name == sync.name


def test_the_lineage_page_is_the_graph_the_code_builds() -> None:
    assert (PROJECT_ROOT / "docs" / "lineage.md").read_text() == lineage.current_page(), (
        "docs/lineage.md is out of date: run .venv/bin/python -m upstream_cli.lineage"
    )
