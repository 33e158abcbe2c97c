package io.runlake.delta;

import static org.assertj.core.api.Assertions.assertThat;

import io.runlake.delta.internal.DeltaTrackingStore;
import io.runlake.testing.ScannedFiles;
import io.runlake.testing.SharedSpark;
import io.runlake.testing.TestStores;
import io.runlake.tracking.Metric;
import io.runlake.tracking.Param;
import io.runlake.tracking.Run;
import io.runlake.tracking.RunStatus;
import io.runlake.tracking.RunTag;
import io.runlake.tracking.ViewType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.util.QueryExecutionListener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.TestInstance;

/**
 * Searches narrowed by the key index ({@code run_keys}): they find exactly the runs the full search
 * finds, stale index rows and unrefreshed writes included, and they skip files of both the index and
 * the state table; the index is rewritten whole once appends have fragmented it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KeyIndexSearchTest {
  private DeltaTrackingStore store;
  private String exp;
  private final List<String> ids = new ArrayList<>();

  @BeforeAll
  void open() {
    store = DeltaStores.open(
        SharedSpark.session(),
        TestStores.options(SharedSpark.newDirectory("key-index"), "key-index").keyIndexRowsPerFile(8).keyIndexMinStateFiles(1).build());
    exp = store.createExperiment("key-index", null, Map.of());
    // Five batches, each folded by its own refresh, so each lands in files of its own: batch b has
    // auc in [b * 0.2, b * 0.2 + 0.07] (r<b>8 NaN, r<b>9 none), model m<b>, team t<b>. The index
    // takes 8 rows a file, and is consulted whatever the state's size, so that these few runs spread
    // over files as millions would.
    for (int b = 0; b < 5; b++) {
      for (int i = 0; i < 10; i++) {
        String id = store.createRun(exp, "u", 1000L * (b * 10 + i), List.of(), "r" + b + i).info().runId();
        ids.add(id);
        List<Metric> metrics = new ArrayList<>();
        if (i != 9) {
          metrics.add(new Metric("auc", i == 8 ? Double.NaN : b * 0.2 + i * 0.01, 1, 0));
        }
        metrics.add(new Metric("loss", 1.0 - b * 0.2, 1, 0));
        store.logBatch(
            id, metrics, i == 7 ? List.of() : List.of(new Param("model", "m" + b)),
            List.of(new RunTag("team", "t" + b), new RunTag("Mixed", i % 2 == 0 ? "Upper" : "lower")));
        store.updateRun(id, RunStatus.FINISHED, 1000L * (b * 10 + i) + 1, null);
      }
      store.sync();
    }
    // Stale index rows: r10's auc rises into batch 4's range, r11 loses its team tag.
    store.logMetric(ids.get(10), new Metric("auc", 0.95, 2, 1));
    store.deleteTag(ids.get(11), "team");
    store.sync();
    // A refresh that folds a run without a single key: the index gets no rows, but its watermark
    // must still keep up, or searches would stop consulting it.
    String bare = store.createRun(exp, "u", 60_000L, List.of(), "bare").info().runId();
    store.deleteTag(bare, "mlflow.runName");
    store.updateRun(bare, RunStatus.FINISHED, 60_001L, null);
    store.sync();
  }

  @AfterAll
  void close() {
    store.close();
  }

  private static final List<String> FILTERS = List.of(
    "metrics.auc >= 0.8",
    "metrics.auc > 0.4 AND metrics.auc < 0.45",
    "metrics.auc = 0.21",
    "metrics.auc != 0.21",
    "metrics.auc < 0.25",
    "metrics.auc >= 0.8 AND params.model = 'm1'",
    "metrics.auc >= 0.8 OR params.model = 'm1'",
    "metrics.auc >= 0.8 OR start_time < 5000",
    "params.model = 'm1'",
    "params.model != 'm1'",
    "params.model LIKE 'm%'",
    "params.model IS NOT NULL AND tags.team = 't1'",
    "params.model IS NULL",
    "tags.team = 't1'",
    "tags.team IS NULL",
    "tags.Mixed ILIKE 'upper'",
    "tags.Mixed LIKE 'Up%' AND metrics.loss < 0.5",
    "NOT params.model = 'm2'",
    "(metrics.auc >= 0.8 AND tags.team = 't1') OR (metrics.loss > 0.9 AND params.model = 'm2')"
  );

  @Test
  @Order(2)
  void narrowedSearchesFindWhatFullSearchesFind() {
    assertSameRuns();
    // And with writes not yet folded into the state: r12's auc jumps, r13's team changes.
    store.logMetric(ids.get(12), new Metric("auc", 0.99, 3, 2));
    store.setTag(ids.get(13), new RunTag("team", "t0"));
    assertSameRuns();
  }

  private void assertSameRuns() {
    for (String filter : FILTERS) {
      List<String> expected = names(store.searchRuns(List.of(exp), filter, ViewType.ALL, 1000, null, null).items());
      List<String> frame = store.searchRunsFrame(List.of(exp), filter, ViewType.ALL, null)
          .collectAsList().stream().map(r -> r.<String>getAs("run_name")).toList();
      assertThat(frame).as(filter).isEqualTo(expected);
    }
  }

  /** Runs first: a journal tail (the other test leaves one) is folded from the whole state. */
  @Test
  @Order(1)
  void aKeyPredicateSkipsFilesOfTheIndexAndOfTheState() throws Exception {
    SparkSession spark = SharedSpark.session();
    Map<String, Long> read = new ConcurrentHashMap<>();
    QueryExecutionListener listener = new QueryExecutionListener() {
      @Override
      public void onSuccess(String funcName, QueryExecution qe, long durationNs) {
        ScannedFiles.byTable(qe.executedPlan()).forEach((table, n) -> read.merge(table, n, Long::sum));
      }

      @Override
      public void onFailure(String funcName, QueryExecution qe, Exception exception) {}
    };
    spark.listenerManager().register(listener);
    List<Row> rows;
    try {
      rows = store.searchRunsFrame(List.of(exp), "metrics.auc >= 0.8", ViewType.ALL, null).collectAsList();
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } finally {
      spark.listenerManager().unregister(listener);
    }
    assertThat(rows).extracting(r -> r.<String>getAs("run_name"))
        .containsExactlyInAnyOrder("r10", "r40", "r41", "r42", "r43", "r44", "r45", "r46", "r47");
    long stateFiles = spark.read().format("delta").load(store.root() + "/run_state").inputFiles().length;
    long indexFiles = spark.read().format("delta").load(store.root() + "/run_keys").inputFiles().length;
    // The five batches' appends left more than 32 index files: the index was rewritten, sorted whole.
    assertThat(spark.sql("DESCRIBE HISTORY delta.`" + store.root() + "/run_keys`")
        .where("operationParameters['mode'] = 'Overwrite'").count()).isPositive();
    assertThat(read.getOrDefault("run_keys", 0L)).as("index files read of %d", indexFiles).isPositive().isLessThan(indexFiles);
    assertThat(read.getOrDefault("run_state", 0L)).as("state files read of %d", stateFiles).isPositive().isLessThan(stateFiles);
  }

  private static List<String> names(List<Run> runs) {
    return runs.stream().map(r -> r.info().runName()).toList();
  }
}
