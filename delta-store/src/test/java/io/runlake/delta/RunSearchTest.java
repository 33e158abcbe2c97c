package io.runlake.delta;

import static io.runlake.testing.Errors.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.runlake.delta.internal.DeltaTrackingStore;
import io.runlake.errors.ErrorCode;
import io.runlake.testing.ScannedFiles;
import io.runlake.testing.TestStores;
import io.runlake.tracking.DatasetInput;
import io.runlake.tracking.Metric;
import io.runlake.tracking.Page;
import io.runlake.tracking.Param;
import io.runlake.tracking.Run;
import io.runlake.tracking.RunTag;
import io.runlake.tracking.ViewType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunSearchTest {
  private DeltaTrackingStore store;
  private String exp;
  private final Map<String, String> ids = new LinkedHashMap<>();

  @BeforeAll
  void open() {
    store = TestStores.open("search");
    exp = store.createExperiment("search", null, Map.of());
    // name, start time, auc (null = not logged), model param
    Object[][] runs = {
      {"a", 1000L, 0.70, "gbt"},
      {"b", 2000L, 0.90, "lr"},
      {"c", 3000L, Double.NaN, "gbt"},
      {"d", 4000L, null, "rf"},
      {"e", 5000L, 0.90, "gbt"},
      {"f", 6000L, 0.95, null},
    };
    for (Object[] r : runs) {
      String id = store.createRun(exp, "u", (Long) r[1], List.of(new RunTag("group", "g")), (String) r[0]).info().runId();
      ids.put((String) r[0], id);
      if (r[2] != null) {
        store.logMetric(id, new Metric("auc", (Double) r[2], 1, 0));
      }
      if (r[3] != null) {
        store.logParam(id, new Param("model", (String) r[3]));
      }
    }
    store.logInputs(ids.get("a"), List.of(new DatasetInput("train", "d1", "delta", "file:/t", null, null, "training")));
    store.logInputs(ids.get("a"), List.of(new DatasetInput("train", "d1", "delta", "file:/t", null, null, "training")));
    store.logInputs(ids.get("b"), List.of(new DatasetInput("eval", "d2", "delta", "file:/e", null, null, "evaluation")));
  }

  @AfterAll
  void close() {
    store.close();
  }

  private List<String> names(String filter, List<String> orderBy) {
    return names(store.searchRuns(List.of(exp), filter, ViewType.ACTIVE_ONLY, 1000, orderBy, null));
  }

  private List<String> names(Page<Run> page) {
    return page.items().stream().map(r -> r.info().runName()).toList();
  }

  @Test
  void filtersAndOrdersByDefaultNewestFirst() {
    assertThat(names("params.model = 'gbt'", null)).containsExactly("e", "c", "a");
    assertThat(names("metrics.auc >= 0.9 OR params.model = 'rf'", null)).containsExactly("f", "e", "d", "b");
    assertThat(names("", null)).containsExactly("f", "e", "d", "c", "b", "a");
  }

  @Test
  void ordersByAMetricWithMissingAndNanLastInBothDirections() {
    assertThat(names(null, List.of("metrics.auc DESC"))).containsExactly("f", "e", "b", "a", "d", "c");
    assertThat(names(null, List.of("metrics.auc ASC"))).containsExactly("a", "e", "b", "f", "d", "c");
    assertThat(names(null, List.of("params.model DESC", "start_time ASC"))).containsExactly("d", "b", "a", "c", "e", "f");
    assertThat(names(null, List.of("params.model"))).containsExactly("e", "c", "a", "b", "d", "f");
  }

  @Test
  void searchesDatasetInputsLoggedOnce() {
    assertThat(names("datasets.name = 'train'", null)).containsExactly("a");
    assertThat(names("datasets.context = 'evaluation' OR datasets.digest = 'd1'", null)).containsExactly("b", "a");
    Run a = store.getRun(ids.get("a"));
    assertThat(a.inputs()).containsExactly(new DatasetInput("train", "d1", "delta", "file:/t", null, null, "training"));
  }

  @Test
  void pagesVisitEveryRunOnceAndStayStableWhileRunsAreAdded() {
    String pexp = store.createExperiment("paging", null, Map.of());
    List<String> before = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      before.add(store.createRun(pexp, null, 10_000L + i * 10, List.of(), "p" + i).info().runId());
    }
    List<String> order = List.of("start_time ASC");
    Page<Run> first = store.searchRuns(List.of(pexp), null, ViewType.ALL, 3, order, null);
    assertThat(first.items()).extracting(r -> r.info().runId()).containsExactlyElementsOf(before.subList(0, 3));
    // While the client pages: one run sorts before the cursor, one after the end.
    String early = store.createRun(pexp, null, 10_005L, List.of(), "early").info().runId();
    String late = store.createRun(pexp, null, 20_000L, List.of(), "late").info().runId();
    List<String> seen = new ArrayList<>(first.items().stream().map(r -> r.info().runId()).toList());
    String token = first.nextPageToken().orElseThrow();
    while (token != null) {
      Page<Run> page = store.searchRuns(List.of(pexp), null, ViewType.ALL, 3, order, token);
      page.items().forEach(r -> seen.add(r.info().runId()));
      token = page.nextPageToken().orElse(null);
    }
    List<String> expected = new ArrayList<>(before);
    expected.add(late);
    assertThat(seen).containsExactlyElementsOf(expected).doesNotContain(early);
  }

  @Test
  void refusesATokenOfAnotherSearchAndBadArguments() {
    Page<Run> page = store.searchRuns(List.of(exp), null, ViewType.ALL, 2, null, null);
    String token = page.nextPageToken().orElseThrow();
    assertError(
            ErrorCode.INVALID_PARAMETER_VALUE,
            () -> store.searchRuns(List.of(exp), "params.model = 'gbt'", ViewType.ALL, 2, null, token))
        .hasMessageContaining("belongs to a different search");
    assertError(
        ErrorCode.INVALID_PARAMETER_VALUE, () -> store.searchRuns(List.of(exp), null, ViewType.ALL, 2, null, "bm90IGEgdG9rZW4"));
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> store.searchRuns(List.of(exp), null, ViewType.ALL, 50_001, null, null))
        .hasMessageContaining("between 1 and 50000");
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> store.searchRuns(List.of(exp), "metrics.auc >", ViewType.ALL, 10, null, null))
        .hasMessageStartingWith("Invalid filter \"metrics.auc >\"");
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> store.searchRuns(List.of(exp), null, ViewType.ALL, 10, List.of("metrics.auc UP"), null))
        .hasMessageStartingWith("Invalid order_by clause \"metrics.auc UP\"");
  }

  @Test
  void viewTypesSelectByLifecycle() {
    String vexp = store.createExperiment("views", null, Map.of());
    String kept = store.createRun(vexp, null, 1L, List.of(), "kept").info().runId();
    String gone = store.createRun(vexp, null, 2L, List.of(), "gone").info().runId();
    store.deleteRun(gone);
    assertThat(names(store.searchRuns(List.of(vexp), null, ViewType.ACTIVE_ONLY, 10, null, null))).containsExactly("kept");
    assertThat(names(store.searchRuns(List.of(vexp), null, ViewType.DELETED_ONLY, 10, null, null))).containsExactly("gone");
    assertThat(names(store.searchRuns(List.of(vexp), null, ViewType.ALL, 10, null, null))).containsExactly("gone", "kept");
    assertThat(kept).isNotEqualTo(gone);
  }

  @Test
  void theDataFrameHoldsTheSameRunsInTheSameOrder() {
    String filter = "metrics.auc > 0.5 AND tags.group = 'g'";
    List<String> order = List.of("metrics.auc DESC");
    Dataset<Row> frame = store.searchRunsFrame(List.of(exp), filter, ViewType.ACTIVE_ONLY, order);
    assertThat(frame.columns()).contains("run_id", "params", "tags", "metrics", "inputs");
    assertThat(frame.collectAsList()).extracting(r -> r.<String>getAs("run_name")).containsExactlyElementsOf(names(filter, order));
  }

  @Test
  void predicatesOnTheExperimentAndAttributesPruneFiles() {
    // Two experiments written by separate refreshes land in separate files of run_state.
    String x = store.createExperiment("prune-x", null, Map.of());
    for (int i = 0; i < 3; i++) {
      store.createRun(x, null, 100L + i, List.of(), "x" + i);
    }
    store.sync();
    String y = store.createExperiment("prune-y", null, Map.of());
    for (int i = 0; i < 3; i++) {
      store.createRun(y, null, 900_000L + i, List.of(), "y" + i);
    }
    store.sync();
    // Heartbeats of other tests' open runs fold into run_state in the background and can add a file
    // between two reads: measure until the table's file count held still around the pruned query.
    long total;
    long read;
    long after;
    int attempts = 0;
    do {
      total = store.searchRunsFrame(List.of(x, y, exp), null, ViewType.ALL, null).inputFiles().length;
      Dataset<Row> one = store.searchRunsFrame(List.of(x), "start_time < 200", ViewType.ALL, null);
      assertThat(one.collectAsList()).hasSize(3);
      read = ScannedFiles.total(one.queryExecution().executedPlan());
      after = store.searchRunsFrame(List.of(x, y, exp), null, ViewType.ALL, null).inputFiles().length;
    } while (total != after && ++attempts < 5);
    assertThat(total).isGreaterThan(1);
    assertThat(read).isPositive().isLessThan(total);
  }
}
