"""Trains a pipeline with PySpark and saves it with MLflow (save_model, and log_model to a run),
then writes its predictions and the logged model's directory as JSON.

usage: save_mlflow_model.py <work_dir> <input_parquet> <output_json>
"""
import json
import os
import sys

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")

import mlflow  # noqa: E402
import mlflow.spark  # noqa: E402
from mlflow.models import infer_signature  # noqa: E402
from pyspark.ml import Pipeline  # noqa: E402
from pyspark.ml.classification import LogisticRegression  # noqa: E402
from pyspark.ml.feature import StandardScaler, VectorAssembler  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402

work, input_path, output_path = sys.argv[1:4]
spark = (SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false")
         .config("spark.driver.host", "127.0.0.1").getOrCreate())
data = spark.read.parquet(input_path).orderBy("id")
pipeline = Pipeline(stages=[
    VectorAssembler(inputCols=["x1", "x2"], outputCol="raw"),
    StandardScaler(inputCol="raw", outputCol="features"),
    LogisticRegression(maxIter=20),
])
model = pipeline.fit(data)
features = data.select("x1", "x2")
predictions = [r["prediction"] for r in model.transform(data).select("prediction").collect()]
signature = infer_signature(features, model.transform(data).select("prediction"))

saved = os.path.join(work, "saved")
mlflow.spark.save_model(model, saved, signature=signature)

mlflow.set_tracking_uri("sqlite:///" + os.path.join(work, "mlflow.db"))
mlflow.set_experiment("interop")
with mlflow.start_run() as run:
    info = mlflow.spark.log_model(model, "model", signature=signature)
logged = mlflow.artifacts.download_artifacts(info.model_uri, dst_path=os.path.join(work, "logged"))

with open(output_path, "w") as out:
    json.dump({"predictions": predictions, "saved": saved, "logged": logged}, out)
