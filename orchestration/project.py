"""The dbt project as Dagster sees it, with a manifest ready on a fresh clone.

A fresh checkout has no target/ directory: instead of failing with DagsterDbtManifestNotFoundError,
the manifest is prepared (`dbt parse`) the first time the code location loads; under `dagster dev`
it is re-parsed on every load so model edits show up.
"""

import os
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

ROOT = Path(__file__).resolve().parent.parent
# The dbt of this virtual environment, whether or not the environment is activated.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")


# What `dbt parse` reads besides dbt_project.yml (its model, macro, seed and test paths).
DBT_SOURCE_FOLDERS = ("models", "macros", "seeds", "tests/dbt")

UPSTREAM_PROJECT = DbtProject(project_dir=ROOT, profiles_dir=ROOT, target_path=Path("target") / "dagster")
# dagster-dbt gives every invocation its own target folder under DBT_TARGET_PATH (default
# `target`) and copies DBT_TARGET_PATH/partial_parse.msgpack into it. Pointing it at the folder
# prepare_manifest parses into lets each run parse partially: without it every run of the
# sensor's pipeline parsed the whole project again, 3.5 s at the head of each run.
os.environ.setdefault("DBT_TARGET_PATH", str(UPSTREAM_PROJECT.target_path))


def prepare_manifest() -> None:
    """`dbt parse` into the project's target path (no warehouse connection needed). It inherits
    the environment unchanged, as the runs' dbt does: dbt parses everything again when the
    profile it renders differs from the one the saved parse was made with."""
    subprocess.run(
        [
            DBT_EXECUTABLE,
            "parse",
            "--quiet",
            "--project-dir",
            str(ROOT),
            "--profiles-dir",
            str(ROOT),
            "--target-path",
            str(UPSTREAM_PROJECT.target_path),
        ],
        check=True,
    )


def manifest_is_stale() -> bool:
    """True when the manifest is missing or older than a file dbt parses: an edited model
    would otherwise leave Dagster with assets and checks the project no longer has."""
    manifest = UPSTREAM_PROJECT.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    sources = [
        ROOT / "dbt_project.yml",
        *(path for folder in DBT_SOURCE_FOLDERS for path in (ROOT / folder).rglob("*")),
    ]
    return any(path.is_file() and path.stat().st_mtime > built for path in sources)


if manifest_is_stale() or os.environ.get("DAGSTER_IS_DEV_CLI"):
    prepare_manifest()
