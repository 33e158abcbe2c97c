"""Trains scikit-learn models, exports them to ONNX, saves them with mlflow.onnx.save_model (with a
column signature), and writes the reference predictions of ONNX Runtime (Python) as JSON.

usage: export_onnx_model.py <work_dir> <input_parquet> <output_json>
"""
import json
import os
import sys

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")

import mlflow.onnx  # noqa: E402
import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402
import pandas as pd  # noqa: E402
from mlflow.models import infer_signature  # noqa: E402
from skl2onnx import to_onnx  # noqa: E402
from sklearn.ensemble import RandomForestRegressor  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

work, input_path, output_path = sys.argv[1:4]
data = pd.read_parquet(input_path).sort_values("id")
features = data[["x1", "x2", "x3", "x4"]]
target = 3 * features["x1"] - features["x2"] + 0.5 * features["x3"] * features["x4"]
x32 = features.to_numpy(dtype=np.float32)
result = {"ids": [int(i) for i in data["id"]]}

regressor = RandomForestRegressor(n_estimators=20, max_depth=6, random_state=0).fit(x32, target)
onnx_regressor = to_onnx(regressor, x32[:1])
session = ort.InferenceSession(onnx_regressor.SerializeToString(), providers=["CPUExecutionProvider"])
reference = session.run(None, {session.get_inputs()[0].name: x32})[0].reshape(-1)
mlflow.onnx.save_model(onnx_regressor, os.path.join(work, "regressor"),
                       signature=infer_signature(features, reference))
result["regressor"] = [float(v) for v in reference]

classifier = LogisticRegression().fit(x32, (target > target.median()).astype(int))
onnx_classifier = to_onnx(classifier, x32[:1], options={id(classifier): {"zipmap": False}})
session = ort.InferenceSession(onnx_classifier.SerializeToString(), providers=["CPUExecutionProvider"])
labels = session.run(None, {session.get_inputs()[0].name: x32})[0].reshape(-1)
mlflow.onnx.save_model(onnx_classifier, os.path.join(work, "classifier"),
                       signature=infer_signature(features, labels))
result["classifier"] = [float(v) for v in labels]

with open(output_path, "w") as out:
    json.dump(result, out)
