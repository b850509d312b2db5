"""The Spark side of a parity scenario, run in one Spark driver under .venv-spark's Python
(pyspark and dbt-spark are not in the main venv):

    python -m tests.support.parity.spark_scenario SPARK_DIR FOLDER OUT_DIR TABLES PHASE=AS_OF...

For each phase it appends that phase's raw Parquet files, runs `dbt build` in this process and
pickles every relation of the target schema to OUT_DIR/phase<N>.pickle. One driver for the
whole scenario, because each Spark start costs seconds of JVM start and warm-up, and dbt-spark's
`session` method picks up the session this module opened (the settings of the `spark` output of
profiles.yml, and a few that suit the scenario's small data and single driver)."""

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
        SparkSession.builder.config("spark.sql.session.timeZone", "UTC")
        # Every relation lives and is read within this one driver, so Spark's in-memory catalog
        # serves; the Hive metastore (Derby) a shared Spark needs cost the scenario about 50 s of
        # CPU. Tables are the same Parquet data source tables either way.
        .config("spark.sql.catalogImplementation", "in-memory")
        .config("spark.sql.warehouse.dir", f"{spark_dir}/spark-warehouse")
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.driver.memory", os.environ.get("UPSTREAM_SPARK_DRIVER_MEMORY", "4g"))
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.ansi.enabled", "false")
        # A few thousand rows per query: generating and compiling Java for each query and each
        # expression, and propagating constraints through the models' long plans, cost more CPU
        # than they save, so expressions are interpreted. Measured on the whole scenario (wall,
        # CPU): 238 s before; 213-228 s without whole-stage codegen and constraint propagation;
        # 192 s, 318 s CPU interpreted; 166 s, 269 s CPU with the in-memory catalog as well.
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
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
    # `show tables`, not spark.catalog.listTables: the catalog's listing decodes its rows with
    # generated code, which the session above turns off.
    for listed in spark.sql(f"show tables in {SCHEMA}").collect():
        if listed.isTemporary:
            continue
        frame = spark.table(f"{SCHEMA}.{listed.tableName}")
        result[listed.tableName] = (frame.columns, [tuple(row) for row in frame.collect()])
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
