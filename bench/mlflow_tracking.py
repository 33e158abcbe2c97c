"""The MLflow side of bench/run tracking: the same synthetic workloads as TrackingBench.java, on the
real mlflow package with a SQLite backend. Prints one JSON object with the measurements.

  python mlflow_tracking.py p1 --dir D --runs 100 --points 1000 --params 10 --tags 5 --mode per-call
  python mlflow_tracking.py p2 --dir D --runs 10000 --metrics 20 --params 10 --repeats 5
"""
import argparse
import json
import math
import os
import sqlite3
import statistics
import time
import uuid

os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
# No usage telemetry: this machine has no internet, and attempts would be timed with the workload.
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")

from mlflow.entities import Metric, Param, RunTag  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402

METRIC_KEYS = 5


def metric_value(run, step, key):
    # The same formula as TrackingBench.metricValue.
    return math.sin(run * 0.37 + step * 0.01 + key)


def p1(args):
    uri = "sqlite:///" + os.path.join(args.dir, "p1-%s.db" % args.mode)
    client = MlflowClient(tracking_uri=uri)
    experiment = client.create_experiment("p1")
    steps = args.points // METRIC_KEYS
    base = 1_700_000_000_000
    start = time.perf_counter()
    for r in range(args.runs):
        run = client.create_run(experiment, run_name="run-%d" % r)
        rid = run.info.run_id
        if args.mode == "per-call":
            for p in range(args.params):
                client.log_param(rid, "p%d" % p, "v%d" % ((r + p) % 7))
            for t in range(args.tags):
                client.set_tag(rid, "t%d" % t, "tag-%d" % t)
            for step in range(steps):
                for k in range(METRIC_KEYS):
                    client.log_metric(rid, "m%d" % k, metric_value(r, step, k), base + step, step)
        else:
            params = [Param("p%d" % p, "v%d" % ((r + p) % 7)) for p in range(args.params)]
            tags = [RunTag("t%d" % t, "tag-%d" % t) for t in range(args.tags)]
            metrics = [
                Metric("m%d" % k, metric_value(r, step, k), base + step, step)
                for step in range(steps)
                for k in range(METRIC_KEYS)
            ]
            client.log_batch(rid, params=params, tags=tags)
            for i in range(0, len(metrics), 1000):
                client.log_batch(rid, metrics=metrics[i : i + 1000])
        client.set_terminated(rid, "FINISHED")
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "points": args.runs * steps * METRIC_KEYS}


def p2_metric(run, i):
    # The same formulas as TrackingBench.p2Metric / p2Param.
    return ((run * 7919 + i * 104729) % 1000) / 1000.0


def p2_param(run, j):
    return "v%d" % ((run * 31 + j * 17) % 10)


def populate(db, runs, n_metrics, n_params):
    """Creates the schema and the experiment through MLflow, then bulk-inserts the runs into MLflow's
    own tables (the API would take hours for 100k runs; what is measured is the search)."""
    uri = "sqlite:///" + db
    client = MlflowClient(tracking_uri=uri)
    experiment = client.create_experiment("p2")
    con = sqlite3.connect(db)
    cols = {t: [c[1] for c in con.execute("PRAGMA table_info(%s)" % t)] for t in
            ("runs", "metrics", "latest_metrics", "params", "tags")}
    base = 1_700_000_000_000

    def row(table, values):
        return tuple(values.get(c) for c in cols[table])

    run_rows, metric_rows, latest_rows, param_rows, tag_rows = [], [], [], [], []
    for r in range(runs):
        rid = uuid.UUID(int=r + 1).hex
        run_rows.append(row("runs", {
            "run_uuid": rid, "name": "run-%d" % r, "source_type": "UNKNOWN", "source_name": "",
            "entry_point_name": "", "user_id": "bench", "status": "FINISHED",
            "start_time": base + r, "end_time": base + r + 1, "source_version": "",
            "lifecycle_stage": "active", "artifact_uri": "file:///tmp/%s" % rid,
            "experiment_id": int(experiment)}))
        for i in range(n_metrics):
            v = p2_metric(r, i)
            m = {"key": "m%d" % i, "value": v, "timestamp": base, "run_uuid": rid, "step": 0, "is_nan": 0}
            metric_rows.append(row("metrics", m))
            latest_rows.append(row("latest_metrics", m))
        for j in range(n_params):
            param_rows.append(row("params", {"key": "p%d" % j, "value": p2_param(r, j), "run_uuid": rid}))
        tag_rows.append(row("tags", {"key": "mlflow.runName", "value": "run-%d" % r, "run_uuid": rid}))
    for table, rows in (("runs", run_rows), ("metrics", metric_rows), ("latest_metrics", latest_rows),
                        ("params", param_rows), ("tags", tag_rows)):
        marks = ",".join("?" * len(cols[table]))
        con.executemany("INSERT INTO %s (%s) VALUES (%s)" % (table, ",".join(cols[table]), marks), rows)
    con.commit()
    con.close()
    return experiment


def p2(args):
    db = os.path.join(args.dir, "p2-%d.db" % args.runs)
    start = time.perf_counter()
    experiment = populate(db, args.runs, args.metrics, args.params)
    populate_s = time.perf_counter() - start

    def search(client):
        t = time.perf_counter()
        runs = client.search_runs(
            [experiment], args.filter, max_results=1000, order_by=[args.order_by])
        return (time.perf_counter() - t) * 1000, [r.info.run_name for r in runs]

    cold_ms, names = search(MlflowClient(tracking_uri="sqlite:///" + db))
    client = MlflowClient(tracking_uri="sqlite:///" + db)
    search(client)
    warm = [search(client)[0] for _ in range(args.repeats)]
    return {"populate_seconds": populate_s, "cold_ms": cold_ms, "warm_ms": statistics.median(warm),
            "results": len(names), "first": names[:20], "names": names}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("workload", choices=["p1", "p2"])
    parser.add_argument("--dir", required=True)
    parser.add_argument("--runs", type=int, required=True)
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--params", type=int, default=10)
    parser.add_argument("--tags", type=int, default=5)
    parser.add_argument("--metrics", type=int, default=20)
    parser.add_argument("--mode", choices=["per-call", "batch"], default="per-call")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--filter", default="metrics.m1 > 0.5 AND params.p1 = 'v3'")
    parser.add_argument("--order-by", default="metrics.m2 DESC")
    args = parser.parse_args()
    result = p1(args) if args.workload == "p1" else p2(args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
