"""The dbt CLI resource the code location uses: dagster-dbt's, without its `dbt --version`.

dagster-dbt learns the dbt version by running `dbt --version` in a subprocess once per run:
1.5 s at the head of every run the new-data sensor starts. The dbt it runs is this
virtual environment's (project.DBT_EXECUTABLE), so the installed dbt-core package gives the same
answer without a process. `_cli_version` is a private member of dagster-dbt 0.29
(requirements.txt pins it); were it renamed, this override would simply go unused.
"""

import importlib.metadata
from functools import cached_property

from dagster_dbt import DbtCliResource
from packaging import version


class UpstreamDbtCliResource(DbtCliResource):
    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))
