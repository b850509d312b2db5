"""Nightly: the incrementally maintained identity graph must equal a full rebuild over the same
raw data. The warehouse is copied, the copy rebuilt with --full-refresh up to id_graph, and the two
id_graph tables compared; any difference fails the run with counts and a sample."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.build_threads import build_thread_args
from orchestration.project import DBT_EXECUTABLE, ROOT
from upstream_config.warehouse import warehouse_path


def compare_with_full_rebuild(live: Path) -> dict[str, int]:
    """Rows only in the live id_graph, only in the rebuilt one, and in both."""
    with tempfile.TemporaryDirectory(prefix="upstream-identity-check-") as workdir:
        copy = Path(workdir) / "rebuild.duckdb"
        shutil.copy(live, copy)
        subprocess.run(
            [
                DBT_EXECUTABLE,
                "build",
                "--full-refresh",
                *build_thread_args(copy, full_refresh=True),
                "--select",
                "+id_graph",
                "--exclude-resource-type",
                "test",
                "unit_test",
                "--project-dir",
                str(ROOT),
                "--profiles-dir",
                str(ROOT),
                "--target-path",
                str(Path(workdir) / "target"),
                "--log-path",
                str(Path(workdir) / "logs"),
                "--quiet",
            ],
            check=True,
            env={**os.environ, "UPSTREAM_DUCKDB_PATH": str(copy)},
        )
        with duckdb.connect(str(copy)) as con:
            con.execute(f"attach '{live}' as live (read_only)")
            columns = "profile_id, id_type, id_value"
            only_live, only_rebuilt, both = con.execute(
                f"""select
                    (select count(*) from (select {columns} from live.main.id_graph
                        except select {columns} from main.id_graph)),
                    (select count(*) from (select {columns} from main.id_graph
                        except select {columns} from live.main.id_graph)),
                    (select count(*) from (select {columns} from main.id_graph
                        intersect select {columns} from live.main.id_graph))"""
            ).fetchone()
    return {"only_incremental": only_live, "only_full_rebuild": only_rebuilt, "identical_rows": both}


@dg.op(pool="duckdb_writer")
def identity_graph_equals_full_rebuild(context: dg.OpExecutionContext) -> None:
    counts = compare_with_full_rebuild(warehouse_path())
    context.log.info(f"identity check: {counts}")
    if counts["only_incremental"] or counts["only_full_rebuild"]:
        raise dg.Failure("the incremental id_graph differs from a full rebuild", metadata=counts)


@dg.job(description="Nightly: incremental identity graph == full rebuild.")
def identity_consistency_check() -> None:
    identity_graph_equals_full_rebuild()


nightly_identity_check = dg.ScheduleDefinition(
    name="nightly_identity_check",
    job=identity_consistency_check,
    cron_schedule="0 3 * * *",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)
