"""The Spark side of a parity scenario, run in one Spark driver under .venv-spark's Python
(pyspark and dbt-spark are not in the main venv):

    python -m tests.support.parity.spark_scenario SPARK_DIR FOLDER OUT_DIR TABLES PHASE=AS_OF...

For each phase it appends that phase's raw Parquet files, runs `dbt build` in this process and
pickles every relation of the target schema to OUT_DIR/phase<N>.pickle. One driver for the
whole scenario, because each Spark start costs seconds of JVM start and warm-up, and dbt-spark's
`session` method picks up the session this module opened (the settings of the `spark` output of
profiles.yml, so both see one metastore, and two that suit the scenario's small data)."""

import os
import pickle
import sys
import time
from pathlib import Path

from dbt.cli.main import dbtRunner
from pyspark.sql import SparkSession

from tests.support.parity.build_args import dbt_build_args

SCHEMA = "analytics"


def session(spark_dir: str) -> SparkSession:
    return (
        SparkSession.builder.enableHiveSupport()
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", f"{spark_dir}/spark-warehouse")
        .config(
            "spark.hadoop.javax.jdo.option.ConnectionURL",
            f"jdbc:derby:;databaseName={spark_dir}/metastore_db;create=true",
        )
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={spark_dir} -Duser.timezone=UTC")
        .config("spark.driver.memory", os.environ.get("UPSTREAM_SPARK_DRIVER_MEMORY", "4g"))
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.ansi.enabled", "false")
        # A few thousand rows per query: compiling each query's code (whole-stage codegen) and
        # propagating constraints through the models' long plans cost more CPU than they save.
        # Measured on the whole scenario: 238 s without these two, 213-228 s with them.
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.constraintPropagation.enabled", "false")
        .getOrCreate()
    )


def load(spark: SparkSession, folder: str, phase: str, tables: list[str], schema: str = "raw") -> None:
    spark.sql(f"create database if not exists {schema}")
    for table in tables:
        frame = spark.read.parquet(f"{folder}/{table}.{phase}.parquet")
        frame.write.mode("append").format("parquet").saveAsTable(f"{schema}.{table}")


def build(workdir: Path, as_of: str) -> None:
    result = dbtRunner().invoke(dbt_build_args(workdir, as_of))
    if not result.success:
        reason = result.exception or "see the log above"
        raise SystemExit(f"dbt build as of {as_of} failed on Spark: {reason}")


def dump(spark: SparkSession, out_path: Path) -> None:
    """Column names and rows of every relation in the target schema, as plain Python values."""
    result = {}
    for table in spark.catalog.listTables(SCHEMA):
        if table.isTemporary:
            continue
        frame = spark.table(f"{SCHEMA}.{table.name}")
        result[table.name] = (frame.columns, [tuple(row) for row in frame.collect()])
    with out_path.open("wb") as out:
        pickle.dump(result, out)


def main(argv: list[str]) -> None:
    # Python-side datetimes must be read in UTC, as the session writes them.
    os.environ["TZ"] = "UTC"
    time.tzset()
    spark_dir, folder, out_dir, tables, *phases = argv
    workdir = Path(spark_dir).parent
    spark = session(spark_dir)
    for phase_as_of in phases:
        phase, as_of = phase_as_of.split("=", 1)
        load(spark, folder, phase, tables.split(","))
        build(workdir, as_of)
        dump(spark, Path(out_dir) / f"phase{phase}.pickle")
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
