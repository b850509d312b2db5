"""Raw tables into, and model rows out of, the local Spark warehouse the dbt `spark` target uses.

Runs under .venv-spark's Python (pyspark is not in the main venv):
    python -m tests.support.parity.spark_io load SPARK_DIR FOLDER PHASE TABLE...
    python -m tests.support.parity.spark_io dump SPARK_DIR OUT.pickle RELATION...
The session settings mirror the `spark` output of profiles.yml, so both see one metastore."""

import os
import pickle
import sys
import time

from pyspark.sql import SparkSession


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
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.ansi.enabled", "false")
        .getOrCreate()
    )


def load(spark: SparkSession, folder: str, phase: str, tables: list[str], schema: str = "raw") -> None:
    spark.sql(f"create database if not exists {schema}")
    for table in tables:
        frame = spark.read.parquet(f"{folder}/{table}.{phase}.parquet")
        frame.write.mode("append").format("parquet").saveAsTable(f"{schema}.{table}")


def dump(spark: SparkSession, out_path: str, relations: list[str]) -> None:
    """Column names and rows per relation, pickled (plain Python values: datetime, Decimal...)."""
    result = {}
    for relation in relations:
        if not spark.catalog.tableExists(relation):
            continue  # reported as missing by the comparison
        frame = spark.table(relation)
        result[relation] = (frame.columns, [tuple(row) for row in frame.collect()])
    with open(out_path, "wb") as out:
        pickle.dump(result, out)


def main(argv: list[str]) -> None:
    # Python-side datetimes must be read in UTC, as the session writes them.
    os.environ["TZ"] = "UTC"
    time.tzset()
    command, spark_dir, *rest = argv
    spark = session(spark_dir)
    if command == "load":
        folder, phase, *tables = rest
        load(spark, folder, phase, tables)
    elif command == "dump":
        out_path, *relations = rest
        dump(spark, out_path, relations)
    else:
        raise SystemExit(f"unknown command {command!r}: use load or dump")
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
