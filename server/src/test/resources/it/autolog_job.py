"""A PySpark job without runlake code: run by AutologIT with only runlake's plugin configured.

Usage: autolog_job.py <data dir>. Fits a bare LogisticRegression from Python, which runs in the JVM,
and prints "done" when the job has finished.
"""
import sys

from pyspark.ml.classification import LogisticRegression
from pyspark.ml.feature import VectorAssembler
from pyspark.sql import SparkSession

spark = SparkSession.builder.appName("autolog-pyspark").getOrCreate()
table = sys.argv[1] + "/py_customers"
(spark.range(200)
    .selectExpr("id", "rand(1) AS x1", "rand(2) AS x2")
    .selectExpr("*", "CAST(x1 + 0.3 * rand(3) > 0.6 AS DOUBLE) AS label")
    .write.format("delta").save(table))
data = VectorAssembler(inputCols=["x1", "x2"], outputCol="features").transform(
    spark.read.format("delta").load(table))
LogisticRegression(maxIter=5, regParam=0.25).fit(data)
spark.stop()
print("done")
