"""Automation: the incremental pipeline every 15 minutes (UPSTREAM_SCHEDULE_CRON), a sensor that
starts the syncs' fast lane (or the pipeline) as soon as new data arrives, and a nightly check
that the incremental identity graph equals a full rebuild.

New data is a newly closed landing file of the collector (a directory listing, which never waits
for the warehouse); a warehouse that has no landing area, fed by Segment's or RudderStack's own
loader, is watched through the newest received_at of its raw tables instead."""

import os

import dagster as dg
import duckdb
import yaml

from collector.loader import pending_files
from collector.settings import landing_settings
from orchestration.project import ROOT
from upstream_config.warehouse import raw_schema, warehouse_path


def arrival_skew_minutes() -> int:
    """var upstream__max_arrival_skew_minutes, the skew the models allow (macro latest_valid_arrival)."""
    project = yaml.safe_load((ROOT / "dbt_project.yml").read_text())
    return int(project["vars"]["upstream__max_arrival_skew_minutes"])


def latest_received_at() -> str | None:
    """The newest received_at over every raw table that has one, as text; None when there is none.
    A row received in the future (beyond the models' skew) does not count: it would set the cursor
    past every row still to come, and the sensor would never fire again. The models quarantine it.

    Raises duckdb.IOException while another process writes the warehouse."""
    path = warehouse_path()
    if not path.exists():
        return None
    with duckdb.connect(str(path), read_only=True) as con:
        tables = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.columns "
                "where table_schema = ? and column_name = 'received_at'",
                [raw_schema()],
            ).fetchall()
        ]
        if not tables:
            return None
        limit = "cast(now() at time zone 'UTC' as timestamp) + to_minutes(?)"
        union = " union all ".join(
            f'select max(try_cast(received_at as timestamp)) as received from "{raw_schema()}"."{table}" '
            f"where try_cast(received_at as timestamp) <= {limit}"
            for table in tables
        )
        latest = con.execute(
            f"select max(received) from ({union})", [arrival_skew_minutes()] * len(tables)
        ).fetchone()[0]
    return latest.isoformat() if latest else None


def newest_closed_landing_file() -> str | None:
    """When the newest closed landing file was closed (its inode change time, which the rename
    that closes it sets), as sortable text; None when the landing area has none. A file is
    removed once loaded, so any file here is new data or data a failed run left."""
    stamps = []
    for path in pending_files(landing_settings().directory):
        try:
            stamps.append(path.stat().st_ctime_ns)
        except FileNotFoundError:
            continue  # loaded and removed since the listing
    return f"{max(stamps):020d}" if stamps else None


def new_data_mark() -> tuple[str | None, str]:
    """The sensor's mark of the newest data and what it means: `landing:<ctime>` where the
    collector lands files, else `raw:<received_at>`."""
    if landing_settings().directory.is_dir():
        newest = newest_closed_landing_file()
        return (f"landing:{newest}" if newest else None), "no closed landing file yet"
    latest = latest_received_at()
    return (f"raw:{latest}" if latest else None), "no raw data yet"


WAITING = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING]
FINISHED = [dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED]


def waiting_runs(context: dg.SensorEvaluationContext, job_names: list[str]) -> int:
    """Runs of these jobs that have not started executing yet."""
    return sum(
        context.instance.get_runs_count(dg.RunsFilter(job_name=name, statuses=WAITING)) for name in job_names
    )


def full_pipeline_is_due(context: dg.SensorEvaluationContext, full_job: str) -> str | None:
    """Why the next run must be the full pipeline rather than the fast lane, or None: it has not
    run on this instance (a new warehouse: build everything first), or its latest finished run did
    not succeed (a failing data test must keep stopping the syncs until a run passes them)."""
    latest = context.instance.get_runs(dg.RunsFilter(job_name=full_job, statuses=FINISHED), limit=1)
    if not latest:
        return f"{full_job} has not run here yet"
    if latest[0].status != dg.DagsterRunStatus.SUCCESS:
        return f"the latest {full_job} run ended {latest[0].status.value}"
    return None


def new_raw_data_sensor_for(
    fast_lane: dg.JobDefinition | None, full: dg.JobDefinition
) -> dg.SensorDefinition:
    """The sensor starts `fast_lane` (activation_lane.py) for new data, or `full` when
    full_pipeline_is_due says so or no sync is configured (then there is no fast lane)."""
    jobs = [job for job in (fast_lane, full) if job is not None]
    job_names = [job.name for job in jobs]

    @dg.sensor(
        name="new_raw_data",
        jobs=jobs,
        # How often the daemon looks; each look is one max(received_at) per raw table. An event
        # waits up to this, then for the run in progress and one run of its own (bench/latency.py).
        minimum_interval_seconds=int(os.environ.get("UPSTREAM_SENSOR_INTERVAL_SECONDS", "30")),
        default_status=dg.DefaultSensorStatus.STOPPED,
    )
    def new_raw_data(context: dg.SensorEvaluationContext):
        """Start a run when a landing file closes (or the newest raw received_at moves forward)."""
        try:
            latest, nothing = new_data_mark()
        except duckdb.IOException:
            return dg.SkipReason("the warehouse is being written; looking again next tick")
        if latest is None:
            return dg.SkipReason(nothing)
        if (
            context.cursor
            and latest.split(":")[0] == context.cursor.split(":")[0]
            and latest <= context.cursor
        ):
            return dg.SkipReason(f"no new data since {context.cursor}")
        if waiting_runs(context, job_names):
            # A queued run reads everything that has landed when it starts: another would only
            # rebuild the same data after it, and delay whatever lands next.
            return dg.SkipReason("a run is already waiting to start; it will read this data")
        reason = full_pipeline_is_due(context, full.name) if fast_lane else "no sync is configured"
        context.update_cursor(latest)
        tags = {"upstream/new_data": latest, **({"upstream/full_run_because": reason} if reason else {})}
        return dg.RunRequest(
            run_key=f"new-data-{latest}", job_name=full.name if reason else fast_lane.name, tags=tags
        )

    return new_raw_data


def pipeline_schedule_for(job: dg.JobDefinition) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name="upstream_pipeline_schedule",
        job=job,
        cron_schedule=os.environ.get("UPSTREAM_SCHEDULE_CRON", "*/15 * * * *"),
        default_status=dg.DefaultScheduleStatus.STOPPED,
    )
