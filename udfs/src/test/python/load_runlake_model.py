"""Loads a model runlake logged with MLflow's own loaders and writes their predictions as JSON.

usage: load_runlake_model.py <model_dir> <input_parquet> <output_json>
"""
import json
import os
import sys

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")

import mlflow.pyfunc  # noqa: E402
import mlflow.spark  # noqa: E402
from mlflow.models import Model  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402

model_dir, input_path, output_path = sys.argv[1:4]
spark = (SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false")
         .config("spark.driver.host", "127.0.0.1").getOrCreate())
data = spark.read.parquet(input_path).orderBy("id")

model = mlflow.spark.load_model(model_dir)
spark_predictions = [r["prediction"] for r in model.transform(data).select("prediction").collect()]

pyfunc = mlflow.pyfunc.load_model(model_dir)
features = data.drop("id").toPandas()
pyfunc_predictions = [float(x) for x in pyfunc.predict(features)]

meta = Model.load(os.path.join(model_dir, "MLmodel"))
with open(output_path, "w") as out:
    json.dump({
        "spark": spark_predictions,
        "pyfunc": pyfunc_predictions,
        "signature_inputs": [c["name"] for c in meta.signature.inputs.to_dict()],
        "run_id": meta.run_id,
    }, out)
