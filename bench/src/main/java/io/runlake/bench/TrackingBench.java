package io.runlake.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.runlake.ActiveRun;
import io.runlake.Runlake;
import io.runlake.Tracking;
import io.runlake.delta.DeltaStoreOptions;
import io.runlake.delta.DeltaStores;
import io.runlake.delta.internal.DeltaTrackingStore;
import io.runlake.tracking.Metric;
import io.runlake.tracking.Param;
import io.runlake.tracking.Run;
import io.runlake.tracking.RunStatus;
import io.runlake.tracking.RunTag;
import io.runlake.tracking.TrackingStore;
import io.runlake.tracking.ViewType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.execution.FileSourceScanExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec;
import org.apache.spark.sql.execution.adaptive.QueryStageExec;
import org.apache.spark.sql.functions;

/**
 * P1 (logging throughput) and P2 (search latency), runlake and MLflow side by side on the same
 * synthetic workloads; P2b, runlake's DataFrame search through its key index against a whole scan. Run it with {@code bench/run tracking}; it prints the tables the README quotes.
 */
public final class TrackingBench {
  static final int METRIC_KEYS = 5;
  static final String P2_FILTER = "metrics.m1 > 0.5 AND params.p1 = 'v3'";
  static final String P2_ORDER = "metrics.m2 DESC";

  private final SparkSession spark;
  private final Path work;
  private final String python;

  private TrackingBench(SparkSession spark, Path work, String python) {
    this.spark = spark;
    this.work = work;
    this.python = python;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = options(args);
    Path work = Files.createTempDirectory("runlake-bench-");
    SparkSession spark =
        DeltaStores.configure(SparkSession.builder().master("local[*]").appName("runlake-bench"))
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.warehouse.dir", work.resolve("warehouse").toString())
            .getOrCreate();
    TrackingBench bench = new TrackingBench(spark, work, opts.getOrDefault("python", ".venv/bin/python"));
    String only = opts.getOrDefault("only", "p1,p2,p2b");
    if (List.of(only.split(",")).contains("p1")) {
      bench.p1(
          Integer.parseInt(opts.getOrDefault("p1-runs", "100")),
          Integer.parseInt(opts.getOrDefault("p1-points", "1000")));
    }
    List<String> parts = List.of(only.split(","));
    if (parts.contains("p2")) {
      List<Integer> sizes =
          Arrays.stream(opts.getOrDefault("p2-runs", "10000,100000").split(","))
              .map(Integer::parseInt)
              .toList();
      bench.p2(sizes);
    }
    if (parts.contains("p2b")) {
      bench.p2b(
          Integer.parseInt(opts.getOrDefault("p2b-runs", "100000")),
          Integer.parseInt(opts.getOrDefault("p2b-sweeps", "50")));
    }
    spark.stop();
  }

  // ---------------------------------------------------------------- P1

  static double metricValue(int run, int step, int key) {
    return Math.sin(run * 0.37 + step * 0.01 + key);
  }

  private void p1(int runs, int points) throws Exception {
    int steps = points / METRIC_KEYS;
    long total = (long) runs * steps * METRIC_KEYS;
    System.out.printf(
        "%nP1  logging throughput: %d runs x %d metric points (+10 params, 5 tags per run), durable at the end%n",
        runs, steps * METRIC_KEYS);
    JsonNode perCall = mlflow("p1", "--runs", runs, "--points", points, "--mode", "per-call");
    JsonNode batch = mlflow("p1", "--runs", runs, "--points", points, "--mode", "batch");
    double clientSeconds = runlakeClient(runs, steps);
    double fluentSeconds = runlakeFluent(runs, steps);
    double baseline = perCall.get("seconds").asDouble();
    Table t = new Table("system", "seconds", "points/s", "vs MLflow per call");
    t.row("MLflow 3.17.2, SQLite, one call per point", Table.f2(baseline), Table.rate(total, baseline), "1.0x");
    double b = batch.get("seconds").asDouble();
    t.row("MLflow 3.17.2, SQLite, log_batch of 1000", Table.f2(b), Table.rate(total, b), ratio(baseline, b));
    t.row("runlake, one call per point, flush at the end", Table.f2(clientSeconds), Table.rate(total, clientSeconds), ratio(baseline, clientSeconds));
    t.row("runlake, fluent API, each run ended durably", Table.f2(fluentSeconds), Table.rate(total, fluentSeconds), ratio(baseline, fluentSeconds));
    t.print();
  }

  private double runlakeClient(int runs, int steps) {
    try (DeltaTrackingStore store = open("p1-client")) {
      TrackingStore client = store;
      String exp = client.createExperiment("p1", null, Map.of());
      long base = 1_700_000_000_000L;
      long start = System.nanoTime();
      for (int r = 0; r < runs; r++) {
        String id = client.createRun(exp, null, null, List.of(), "run-" + r).info().runId();
        for (int p = 0; p < 10; p++) {
          client.logParam(id, new Param("p" + p, "v" + ((r + p) % 7)));
        }
        for (int t = 0; t < 5; t++) {
          client.setTag(id, new RunTag("t" + t, "tag-" + t));
        }
        for (int step = 0; step < steps; step++) {
          for (int k = 0; k < METRIC_KEYS; k++) {
            client.logMetric(id, new Metric("m" + k, metricValue(r, step, k), base + step, step));
          }
        }
        client.updateRun(id, RunStatus.FINISHED, System.currentTimeMillis(), null);
      }
      client.flush();
      double seconds = (System.nanoTime() - start) / 1e9;
      check(store, exp, runs, (long) runs * steps * METRIC_KEYS);
      return seconds;
    }
  }

  private double runlakeFluent(int runs, int steps) {
    Tracking tracking =
        Runlake.tracking(spark, options("p1-fluent").build());
    tracking.setExperiment("p1");
    long start = System.nanoTime();
    for (int r = 0; r < runs; r++) {
      try (ActiveRun run = tracking.startRun("run-" + r)) {
        for (int p = 0; p < 10; p++) {
          run.logParam("p" + p, "v" + ((r + p) % 7));
        }
        for (int t = 0; t < 5; t++) {
          run.setTag("t" + t, "tag-" + t);
        }
        for (int step = 0; step < steps; step++) {
          for (int k = 0; k < METRIC_KEYS; k++) {
            run.logMetric("m" + k, metricValue(r, step, k), step);
          }
        }
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    check((DeltaTrackingStore) tracking.client(), tracking.experimentId(), runs, (long) runs * steps * METRIC_KEYS);
    tracking.close();
    return seconds;
  }

  /** The benchmark counts only if everything arrived. */
  private void check(DeltaTrackingStore store, String exp, int runs, long points) {
    store.sync();
    long stored =
        spark.table(store.database() + ".metrics").where(org.apache.spark.sql.functions.col("experiment_id").equalTo(exp)).count();
    if (stored != points) {
      throw new IllegalStateException("expected " + points + " points stored, found " + stored);
    }
    long finished = store.searchRuns(List.of(exp), "status = 'FINISHED'", ViewType.ALL, 50_000, null, null).items().size();
    if (finished != runs) {
      throw new IllegalStateException("expected " + runs + " finished runs, found " + finished);
    }
  }

  // ---------------------------------------------------------------- P2

  static double p2Metric(int run, int i) {
    return ((run * 7919L + i * 104729L) % 1000) / 1000.0;
  }

  static String p2Param(int run, int j) {
    return "v" + ((run * 31L + j * 17L) % 10);
  }

  private void p2(List<Integer> sizes) throws Exception {
    System.out.printf(
        "%nP2  search latency: top 1000 runs by \"%s\" ordered by %s (20 metrics, 10 params per run)%n",
        P2_FILTER, P2_ORDER);
    Table t = new Table("runs", "system", "load s", "cold ms", "warm ms", "warm vs MLflow", "same runs");
    for (int n : sizes) {
      JsonNode mlflow = mlflow("p2", "--runs", n, "--metrics", 20, "--params", 10, "--repeats", 5);
      double[] runlake = runlakeSearch(n, mlflow);
      double mlflowWarm = mlflow.get("warm_ms").asDouble();
      t.row(String.format(Locale.ROOT, "%,d", n), "MLflow 3.17.2, SQLite", f1(mlflow.get("populate_seconds").asDouble()),
          f0(mlflow.get("cold_ms").asDouble()), f0(mlflowWarm), "1.0x", "");
      t.row(String.format(Locale.ROOT, "%,d", n), "runlake", f1(runlake[0]), f0(runlake[1]), f0(runlake[2]),
          ratio(mlflowWarm, runlake[2]), runlake[3] == 1 ? "yes" : "NO");
    }
    t.print();
    System.out.println("(load: MLflow rows bulk-inserted into its SQLite schema; runlake runs logged through its API and folded)");
  }

  /**
   * P2b: DataFrame searches on a store filled the way a busy one is, a refresh at a time: {@code runs}
   * runs in {@code sweeps} sweeps of equal size, each logged and then folded by its own refresh, with
   * param {@code sweep} naming it. Each search runs through the key index ({@code searchRunsFrame}) and
   * as the same predicate in SQL over the {@code runs} view (read whole), which must find the same runs.
   */
  private void p2b(int runs, int sweeps) {
    System.out.printf(
        "%nP2b DataFrame search through the key index: %,d runs logged in %d sweeps, a refresh each"
            + " (20 metrics, 10 params + sweep per run)%n", runs, sweeps);
    String name = "p2b-" + runs;
    long loadStart = System.nanoTime();
    String exp;
    try (DeltaTrackingStore store = openIndexed(name)) {
      exp = store.createExperiment("p2b", null, Map.of());
      long base = 1_700_000_000_000L;
      int perSweep = runs / sweeps;
      for (int r = 0; r < runs; r++) {
        logP2Run(store, exp, base, r, new Param("sweep", "s" + r / perSweep));
        if ((r + 1) % perSweep == 0) {
          store.sync();
        }
      }
      store.sync();
    }
    System.out.printf("(loaded in %.0f s)%n", (System.nanoTime() - loadStart) / 1e9);
    Table out = new Table("filter", "path", "cold ms", "warm ms", "run_state files read", "runs found");
    String sweep = "s" + sweeps / 2;
    for (String[] search : new String[][] {
        {"params.sweep = '" + sweep + "' AND metrics.m1 > 0.5", "params['sweep'] = '" + sweep + "' AND metrics['m1'] > 0.5"},
        {"metrics.m1 > 0.998", "metrics['m1'] > 0.998"},
        {P2_FILTER, "metrics['m1'] > 0.5 AND params['p1'] = 'v3'"}}) {
      DeltaLog.clearCache();
      try (DeltaTrackingStore store = openIndexed(name)) {
        String view = store.database() + ".runs";
        Supplier<Dataset<Row>> indexed =
            () -> store.searchRunsFrame(List.of(exp), search[0], ViewType.ACTIVE_ONLY, List.of(P2_ORDER)).limit(1000);
        Supplier<Dataset<Row>> whole =
            () -> spark.table(view)
                .where("experiment_id = '" + exp + "' AND lifecycle_stage = 'active' AND " + search[1])
                .orderBy(functions.col("metrics").getItem("m2").desc())
                .limit(1000);
        long total = spark.read().format("delta").load(store.root() + "/run_state").inputFiles().length;
        Timed a = timed(indexed);
        DeltaLog.clearCache();
        Timed b = timed(whole);
        out.row("`" + search[0] + "`", "key index", f0(a.cold), f0(a.warm), a.filesRead + " of " + total,
            Integer.toString(a.found));
        out.row("", "whole scan of the view", f0(b.cold), f0(b.warm), b.filesRead + " of " + total,
            b.found + (b.found == a.found ? " (same)" : " (DIFFERENT)"));
      }
    }
    out.print();
    System.out.println("(key index: searchRunsFrame, an index lookup, then run_state read for the candidate"
        + " runs only; whole scan: the predicate in Spark SQL over the runlake.runs view; top 1000 by "
        + P2_ORDER + ")");
  }

  private record Timed(double cold, double warm, long filesRead, int found) {}

  private static Timed timed(Supplier<Dataset<Row>> search) {
    long t0 = System.nanoTime();
    Dataset<Row> first = search.get();
    int found = first.collectAsList().size();
    double cold = (System.nanoTime() - t0) / 1e6;
    long files = filesRead(first.queryExecution().executedPlan());
    double[] warm = new double[5];
    for (int i = 0; i < warm.length; i++) {
      long s = System.nanoTime();
      search.get().collectAsList();
      warm[i] = (System.nanoTime() - s) / 1e6;
    }
    Arrays.sort(warm);
    return new Timed(cold, warm[warm.length / 2], files, found);
  }

  /** The run_state files the scans of {@code plan} read. */
  private static long filesRead(SparkPlan plan) {
    if (plan instanceof AdaptiveSparkPlanExec adaptive) {
      return filesRead(adaptive.executedPlan());
    }
    if (plan instanceof QueryStageExec stage) {
      return filesRead(stage.plan());
    }
    long n = 0;
    if (plan instanceof FileSourceScanExec scan
        && scan.relation().location().rootPaths().head().getName().equals("run_state")) {
      n += (Long) scan.metrics().get("numFiles").get().value();
    }
    scala.collection.Iterator<SparkPlan> children = plan.children().iterator();
    while (children.hasNext()) {
      n += filesRead(children.next());
    }
    return n;
  }

  /** Run {@code r} of the P2 workload: 20 metrics, 10 params and {@code extra} params, then FINISHED. */
  private static void logP2Run(DeltaTrackingStore store, String exp, long base, int r, Param... extra) {
    String id = store.createRun(exp, "bench", base + r, List.of(), "run-" + r).info().runId();
    List<Metric> metrics = new ArrayList<>(20);
    for (int i = 0; i < 20; i++) {
      metrics.add(new Metric("m" + i, p2Metric(r, i), base, 0));
    }
    List<Param> params = new ArrayList<>(10 + extra.length);
    for (int j = 0; j < 10; j++) {
      params.add(new Param("p" + j, p2Param(r, j)));
    }
    params.addAll(List.of(extra));
    store.logBatch(id, metrics, params, List.of());
    store.updateRun(id, RunStatus.FINISHED, base + r + 1, null);
  }

  /** Returns load seconds, cold ms, warm median ms, and 1 if the runs found equal MLflow's. */
  private double[] runlakeSearch(int runs, JsonNode mlflow) {
    String name = "p2-" + runs;
    long loadStart = System.nanoTime();
    String exp;
    try (DeltaTrackingStore store = open(name)) {
      exp = store.createExperiment("p2", null, Map.of());
      long base = 1_700_000_000_000L;
      for (int r = 0; r < runs; r++) {
        logP2Run(store, exp, base, r);
      }
      store.sync();
    }
    double load = (System.nanoTime() - loadStart) / 1e9;

    DeltaLog.clearCache();
    try (DeltaTrackingStore store = open(name)) {
      long t0 = System.nanoTime();
      List<Run> found = search(store, exp);
      double cold = (System.nanoTime() - t0) / 1e6;
      search(store, exp);
      double[] warm = new double[5];
      for (int i = 0; i < warm.length; i++) {
        long s = System.nanoTime();
        search(store, exp);
        warm[i] = (System.nanoTime() - s) / 1e6;
      }
      Arrays.sort(warm);
      List<String> names = found.stream().map(r -> r.info().runName()).toList();
      List<String> expected = new ArrayList<>();
      mlflow.get("names").forEach(n -> expected.add(n.asText()));
      return new double[] {load, cold, warm[warm.length / 2], names.equals(expected) ? 1 : 0};
    }
  }

  private static List<Run> search(DeltaTrackingStore store, String exp) {
    return store.searchRuns(List.of(exp), P2_FILTER, ViewType.ACTIVE_ONLY, 1000, List.of(P2_ORDER), null).items();
  }

  // ---------------------------------------------------------------- plumbing

  private DeltaStoreOptions.Builder options(String name) {
    return DeltaStoreOptions.builder(work.resolve(name).toString())
        .database(name.replace('-', '_'))
        .refreshDelay(java.time.Duration.ofHours(1))
        .shutdownHook(false);
  }

  private DeltaTrackingStore open(String name) {
    return DeltaStores.open(spark, options(name).build());
  }

  /** A store whose searches consult the key index whatever the number of state files. */
  private DeltaTrackingStore openIndexed(String name) {
    return DeltaStores.open(spark, options(name).keyIndexMinStateFiles(1).build());
  }

  private JsonNode mlflow(String workload, Object... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(python, "bench/mlflow_tracking.py", workload, "--dir", work.toString()));
    for (Object a : args) {
      command.add(a.toString());
    }
    return MlflowSide.run(command);
  }

  private static Map<String, String> options(String[] args) {
    java.util.HashMap<String, String> m = new java.util.HashMap<>();
    for (String a : args) {
      if (a.startsWith("--") && a.contains("=")) {
        m.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
      }
    }
    return m;
  }

  private static String f0(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  private static String f1(double v) {
    return String.format(Locale.ROOT, "%,.1f", v);
  }

  private static String ratio(double baseline, double value) {
    return String.format(Locale.ROOT, "%.1fx", baseline / value);
  }
}
