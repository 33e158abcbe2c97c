"""The MLflow side of bench/run scoring: scores the same rows with the same model through
mlflow.pyfunc.spark_udf, in PySpark, and prints the timings as JSON.

  python mlflow_scoring.py --model <model dir> --input <parquet> --repeats 3
"""
import argparse
import json
import os
import statistics
import sys
import time


os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
# Spark's Python workers must run this virtualenv's interpreter (mlflow, pandas).
os.environ["PYSPARK_PYTHON"] = sys.executable

import mlflow.pyfunc  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402
from pyspark.sql.functions import struct  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--columns", default="x1,x2,x3,x4")
    args = parser.parse_args()
    spark = (SparkSession.builder.master("local[*]").config("spark.ui.enabled", "false")
             .config("spark.driver.host", "127.0.0.1").config("spark.driver.memory", "4g").getOrCreate())
    data = spark.read.parquet(args.input).cache()
    rows = data.count()
    predict = mlflow.pyfunc.spark_udf(spark, model_uri=args.model, result_type="double", env_manager="local")
    cols = args.columns.split(",")

    def run():
        start = time.perf_counter()
        data.withColumn("prediction", predict(struct(*cols))).write.format("noop").mode("overwrite").save()
        return time.perf_counter() - start

    run()  # warm-up: workers start, the model loads
    seconds = statistics.median(run() for _ in range(args.repeats))
    print(json.dumps({"rows": rows, "seconds": seconds}))


if __name__ == "__main__":
    main()
