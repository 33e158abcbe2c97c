package io.runlake.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.apache.spark.sql.functions.col;

import io.runlake.delta.internal.DeltaTrackingStore;
import io.runlake.errors.ErrorCode;
import io.runlake.errors.RunlakeException;
import io.runlake.testing.ChildJvm;
import io.runlake.testing.SharedSpark;
import io.runlake.testing.TestStores;
import io.runlake.tracking.Metric;
import io.runlake.tracking.Param;
import io.runlake.tracking.Run;
import io.runlake.tracking.RunStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class ConcurrencyTest {
  private static final int POINTS = 2_500;
  private static final int PARAMS = 40;

  @Test
  void threadsAndProcessesLoggingToOneStoreLoseAndDuplicateNothing() throws Exception {
    Path root = SharedSpark.newDirectory("concurrency");
    try (DeltaTrackingStore store =
        DeltaStores.open(
            SharedSpark.session(),
            TestStores.options(root, "concurrency").flushInterval(java.time.Duration.ofMillis(200)).build())) {
      String experiment = store.createExperiment("shared", null, Map.of());
      String qualifiedRoot = store.root();
      List<ChildJvm> children = new ArrayList<>();
      for (int c = 0; c < 2; c++) {
        children.add(
            ChildJvm.start(
                ChildWriter.class,
                root.resolveSibling("child-" + c + ".log"),
                "log", qualifiedRoot, experiment, Integer.toString(POINTS), Integer.toString(PARAMS),
                "raced-by-processes"));
      }

      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<String>> threads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        threads.add(pool.submit(() -> logOneRun(store, experiment)));
      }
      List<String> runIds = new ArrayList<>();
      for (Future<String> f : threads) {
        runIds.add(f.get());
      }
      pool.shutdown();
      List<String> raceResults = new ArrayList<>();
      for (ChildJvm child : children) {
        try (child) {
          raceResults.add(child.awaitLine("RACE", 240));
          runIds.add(child.awaitLine("DONE", 240).substring("DONE ".length()));
          assertThat(child.waitFor(60)).isZero();
        }
      }
      assertThat(raceResults)
          .filteredOn(r -> r.startsWith("RACE CREATED"))
          .as("exactly one process creates the raced experiment")
          .hasSize(1);
      assertThat(raceResults).contains("RACE RESOURCE_ALREADY_EXISTS");

      store.sync();
      SparkSession spark = SharedSpark.session();
      String db = store.database();
      Dataset<Row> metrics = spark.table(db + ".metrics").where(col("experiment_id").equalTo(experiment));
      assertThat(runIds).hasSize(6).doesNotHaveDuplicates();
      for (String runId : runIds) {
        Dataset<Row> points = metrics.where(col("run_id").equalTo(runId));
        assertThat(points.count()).as("points of run " + runId).isEqualTo(POINTS);
        assertThat(points.select("key", "step").distinct().count()).isEqualTo(POINTS);
        Run run = store.getRun(runId);
        assertThat(run.data().params()).hasSize(PARAMS).containsEntry("p7", "v7");
        assertThat(run.info().status()).isEqualTo(RunStatus.FINISHED);
        assertThat(run.data().metric("m4")).contains(new Metric("m4", POINTS - 1, 1000 + POINTS - 1, (POINTS - 1) / 5));
      }
      assertThat(metrics.count()).isEqualTo(6L * POINTS);
      assertThat(spark.table(db + ".params").where(col("experiment_id").equalTo(experiment)).count())
          .isEqualTo(6L * PARAMS);
    }
  }

  private static String logOneRun(DeltaTrackingStore store, String experiment) {
    Run run = store.createRun(experiment, null, null, List.of(), "thread");
    String id = run.info().runId();
    for (int i = 0; i < POINTS; i++) {
      store.logMetric(id, new Metric("m" + (i % 5), i, 1000 + i, i / 5));
      if (i < PARAMS) {
        store.logParam(id, new Param("p" + i, "v" + i));
      }
      if (i % 500 == 499) {
        store.flush();
      }
    }
    store.updateRun(id, RunStatus.FINISHED, System.currentTimeMillis(), null);
    store.flush();
    return id;
  }

  @Test
  void eightConcurrentCreatorsOfOneNameMakeOneExperiment() throws Exception {
    try (DeltaTrackingStore store = TestStores.open("name-race")) {
      CyclicBarrier start = new CyclicBarrier(8);
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        Callable<String> create =
            () -> {
              start.await();
              try {
                return "created " + store.createExperiment("contested", null, Map.of());
              } catch (RunlakeException e) {
                return e.code().name();
              }
            };
        results.add(pool.submit(create));
      }
      List<String> outcomes = new ArrayList<>();
      for (Future<String> f : results) {
        outcomes.add(f.get());
      }
      pool.shutdown();
      assertThat(outcomes).filteredOn(o -> o.startsWith("created ")).hasSize(1);
      assertThat(outcomes)
          .filteredOn(o -> o.equals(ErrorCode.RESOURCE_ALREADY_EXISTS.name()))
          .hasSize(7);
      String id = outcomes.stream().filter(o -> o.startsWith("created ")).findFirst().get().substring(8);
      assertThat(store.findExperimentByName("contested").get().experimentId()).isEqualTo(id);
      assertThat(store.searchExperiments(null, io.runlake.tracking.ViewType.ALL, 1000, null, null).items())
          .filteredOn(e -> e.name().equals("contested"))
          .hasSize(1);
    }
  }
}
