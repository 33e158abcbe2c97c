"""A PySpark job without runlake code: run by AutologIT with only runlake's plugin configured (and
runlake's Python layer installed in the interpreter, as `pip install ./python` does).

Usage: autolog_job.py <data dir>. Fits, from Python, a bare LogisticRegression (a JVM fit), then a
Pipeline, a CrossValidator, a TrainValidationSplit and a OneVsRest (whose loops run in Python),
evaluates the Pipeline's model, and prints "done" when the job has finished.
"""
import sys

from pyspark.ml import Pipeline
from pyspark.ml.classification import LogisticRegression, OneVsRest
from pyspark.ml.evaluation import BinaryClassificationEvaluator
from pyspark.ml.feature import StandardScaler, VectorAssembler
from pyspark.ml.tuning import CrossValidator, ParamGridBuilder, TrainValidationSplit
from pyspark.sql import SparkSession

spark = SparkSession.builder.appName("autolog-pyspark").getOrCreate()
table = sys.argv[1] + "/py_customers"
(spark.range(200)
    .selectExpr("id", "rand(1) AS x1", "rand(2) AS x2")
    .selectExpr("*", "CAST(x1 + 0.3 * rand(3) > 0.6 AS DOUBLE) AS label")
    .write.format("delta").save(table))
customers = spark.read.format("delta").load(table)
assembler = VectorAssembler(inputCols=["x1", "x2"], outputCol="raw")
data = VectorAssembler(inputCols=["x1", "x2"], outputCol="features").transform(customers)
LogisticRegression(maxIter=5, regParam=0.25).fit(data)

pipeline = Pipeline(stages=[
    assembler,
    StandardScaler(inputCol="raw", outputCol="features"),
    LogisticRegression(maxIter=3, regParam=0.5),
])
model = pipeline.fit(customers)
print("AUC", BinaryClassificationEvaluator().evaluate(model.transform(customers)))

lr = LogisticRegression(maxIter=3)
cv = CrossValidator(
    estimator=Pipeline(stages=[assembler, StandardScaler(inputCol="raw", outputCol="features"), lr]),
    estimatorParamMaps=ParamGridBuilder().addGrid(lr.regParam, [0.01, 0.3]).build(),
    evaluator=BinaryClassificationEvaluator(),
    numFolds=2,
    parallelism=2,
    seed=7)
cv.fit(customers)

bare = LogisticRegression(maxIter=3)
TrainValidationSplit(
    estimator=bare,
    estimatorParamMaps=ParamGridBuilder().addGrid(bare.regParam, [0.1, 1.0]).build(),
    evaluator=BinaryClassificationEvaluator(),
    trainRatio=0.7,
    seed=7).fit(data)
OneVsRest(classifier=LogisticRegression(maxIter=2), parallelism=2).fit(data)
spark.stop()
print("done")
