package io.runlake.delta;

import static io.runlake.testing.Errors.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.runlake.delta.internal.DeltaTrackingStore;
import io.runlake.errors.ErrorCode;
import io.runlake.testing.TestStores;
import io.runlake.tracking.LifecycleStage;
import io.runlake.tracking.Metric;
import io.runlake.tracking.Page;
import io.runlake.tracking.Param;
import io.runlake.tracking.Run;
import io.runlake.tracking.RunInfo;
import io.runlake.tracking.RunStatus;
import io.runlake.tracking.RunTag;
import io.runlake.tracking.ViewType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunsTest {
  private DeltaTrackingStore store;
  private String experiment;

  @BeforeAll
  void open() {
    store = TestStores.open("runs");
    experiment = store.createExperiment("runs", null, Map.of());
  }

  @AfterAll
  void close() {
    store.close();
  }

  private Run newRun(String name) {
    return store.createRun(experiment, "alice", null, List.of(), name);
  }

  @Test
  void createsARunningRunWithItsAttributes() {
    Run run = store.createRun(experiment, "bob", 1_700_000_000_000L, List.of(new RunTag("k", "v")), "first");
    RunInfo info = run.info();
    assertThat(info.runId()).matches("[0-9a-f]{32}");
    assertThat(info.status()).isEqualTo(RunStatus.RUNNING);
    assertThat(info.userId()).isEqualTo("bob");
    assertThat(info.startTime()).isEqualTo(1_700_000_000_000L);
    assertThat(info.endTime()).isNull();
    assertThat(info.artifactUri())
        .isEqualTo(store.getExperiment(experiment).artifactLocation() + "/" + info.runId() + "/artifacts");
    assertThat(run.data().tags()).containsEntry("mlflow.runName", "first").containsEntry("k", "v");

    Run read = store.getRun(info.runId());
    assertThat(read.info()).usingRecursiveComparison().ignoringFields("heartbeatTime").isEqualTo(info);
    assertThat(read.data().tags()).isEqualTo(run.data().tags());
  }

  @Test
  void generatesARunNameAndMirrorsItInATag() {
    Run run = store.createRun(experiment, null, null, null, null);
    assertThat(run.info().runName()).matches("[a-z]+-[a-z]+-\\d{1,3}");
    assertThat(run.data().tags()).containsEntry("mlflow.runName", run.info().runName());
    assertThat(run.info().userId()).isEqualTo(System.getProperty("user.name"));
  }

  @Test
  void takesTheRunNameFromTheTagAndRejectsAConflict() {
    Run run = store.createRun(experiment, null, null, List.of(new RunTag("mlflow.runName", "from-tag")), null);
    assertThat(run.info().runName()).isEqualTo("from-tag");
    assertError(
            ErrorCode.INVALID_PARAMETER_VALUE,
            () -> store.createRun(experiment, null, null, List.of(new RunTag("mlflow.runName", "a")), "b"))
        .hasMessageStartingWith("Both the run name ('b') and the tag mlflow.runName ('a') are given");
  }

  @Test
  void refusesRunsInUnknownExperiments() {
    assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, () -> store.createRun("99999999", null, null, null, null));
  }

  @Test
  void updatesStatusEndTimeAndName() {
    Run run = newRun("to-update");
    RunInfo updated = store.updateRun(run.info().runId(), RunStatus.FINISHED, 1234L, "renamed");
    assertThat(updated.status()).isEqualTo(RunStatus.FINISHED);
    assertThat(updated.endTime()).isEqualTo(1234L);
    assertThat(updated.runName()).isEqualTo("renamed");
    Run read = store.getRun(run.info().runId());
    assertThat(read.info().status()).isEqualTo(RunStatus.FINISHED);
    assertThat(read.info().endTime()).isEqualTo(1234L);
    assertThat(read.info().runName()).isEqualTo("renamed");
    assertThat(read.data().tags()).containsEntry("mlflow.runName", "renamed");
  }

  @Test
  void settingTheRunNameTagRenamesTheRun() {
    Run run = newRun("old-name");
    store.setTag(run.info().runId(), new RunTag("mlflow.runName", "new-name"));
    assertThat(store.getRun(run.info().runId()).info().runName()).isEqualTo("new-name");
  }

  @Test
  void supportsEveryStatus() {
    for (RunStatus status : RunStatus.values()) {
      Run run = newRun("status-" + status);
      store.updateRun(run.info().runId(), status, null, null);
      assertThat(store.getRun(run.info().runId()).info().status()).isEqualTo(status);
    }
  }

  @Test
  void nestsRunsThroughTheParentRunIdTag() {
    Run parent = newRun("parent");
    Run child =
        store.createRun(
            experiment, null, null, List.of(new RunTag("mlflow.parentRunId", parent.info().runId())), "child");
    assertThat(store.getRun(child.info().runId()).data().tags())
        .containsEntry("mlflow.parentRunId", parent.info().runId());
  }

  @Test
  void deletesAndRestoresARun() {
    Run run = newRun("to-delete");
    String id = run.info().runId();
    store.deleteRun(id);
    assertThat(store.getRun(id).info().lifecycleStage()).isEqualTo(LifecycleStage.DELETED);
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> store.logMetric(id, Metric.of("m", 1, 0)))
        .hasMessage(
            "The run " + id + " must be in the 'active' state to be written to, but it is deleted."
                + " Restore it with restoreRun(\"" + id + "\") first.");
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> store.logParam(id, new Param("p", "1")));
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> store.setTag(id, new RunTag("t", "1")));
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> store.updateRun(id, RunStatus.FINISHED, null, null));
    store.restoreRun(id);
    assertThat(store.getRun(id).info().lifecycleStage()).isEqualTo(LifecycleStage.ACTIVE);
    store.logMetric(id, Metric.of("m", 1, 0));
    assertError(ErrorCode.INVALID_STATE, () -> store.restoreRun(id))
        .hasMessage("Run " + id + " is active, so there is nothing to restore.");
  }

  @Test
  void reportsUnknownRuns() {
    String missing = "0".repeat(32);
    assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, () -> store.getRun(missing))
        .hasMessageStartingWith("No run with id '" + missing + "' exists.");
    assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, () -> store.logMetric(missing, Metric.of("m", 1, 0)));
    assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, () -> store.deleteRun(missing));
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> store.getRun("bad id"));
  }

  @Test
  void keepsTheFullMetricHistoryAndPicksTheLatestAsMlflowDoes() {
    String id = newRun("metrics").info().runId();
    store.logMetric(id, new Metric("m", 1.0, 100, 0));
    store.logMetric(id, new Metric("m", 5.0, 50, 3)); // highest step wins over later timestamps
    store.logMetric(id, new Metric("m", 2.0, 200, 1));
    store.logMetric(id, new Metric("m", 4.0, 40, 3)); // same step: higher timestamp wins
    store.logMetric(id, new Metric("m", 3.0, 50, 3)); // same step and timestamp: higher value wins
    assertThat(store.getRun(id).data().metric("m")).contains(new Metric("m", 5.0, 50, 3));
    assertThat(store.getMetricHistory(id, "m"))
        .containsExactly(
            new Metric("m", 1.0, 100, 0),
            new Metric("m", 2.0, 200, 1),
            new Metric("m", 4.0, 40, 3),
            new Metric("m", 3.0, 50, 3),
            new Metric("m", 5.0, 50, 3));
    // A later refresh with an older point does not displace the latest.
    store.logMetric(id, new Metric("m", 9.0, 10, 2));
    assertThat(store.getRun(id).data().metric("m")).contains(new Metric("m", 5.0, 50, 3));
    assertThat(store.getMetricHistory(id, "missing")).isEmpty();
  }

  @Test
  void storesNanAndInfinities() {
    String id = newRun("special-values").info().runId();
    store.logMetric(id, new Metric("nan", Double.NaN, 1, 0));
    store.logMetric(id, new Metric("pinf", Double.POSITIVE_INFINITY, 1, 0));
    store.logMetric(id, new Metric("ninf", Double.NEGATIVE_INFINITY, 1, 0));
    Run run = store.getRun(id);
    assertThat(run.data().metric("nan").get().value()).isNaN();
    assertThat(run.data().metric("pinf").get().value()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(run.data().metric("ninf").get().value()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(store.getMetricHistory(id, "nan").get(0).value()).isNaN();
  }

  @Test
  void paramsAreImmutable() {
    String id = newRun("params").info().runId();
    store.logParam(id, new Param("alpha", "0.1"));
    store.logParam(id, new Param("alpha", "0.1")); // same value again: fine
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> store.logParam(id, new Param("alpha", "0.2")))
        .hasMessage(
            "Changing param values is not allowed. Param 'alpha' of run " + id + " was already"
                + " logged with value '0.1'; the new value is '0.2'. Params are immutable: log the"
                + " new value under another key, or start a new run.");
    assertThat(store.getRun(id).data().params()).containsExactlyEntriesOf(Map.of("alpha", "0.1"));
    // Still refused once the param is only known from the tables.
    try (DeltaTrackingStore other = reopen()) {
      assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> other.logParam(id, new Param("alpha", "0.3")))
          .hasMessageContaining("already logged with value '0.1'; the new value is '0.3'");
    }
  }

  @Test
  void aBatchWithAChangedParamIsRejectedWhole() {
    String id = newRun("batch-reject").info().runId();
    store.logParam(id, new Param("p", "1"));
    assertError(
        ErrorCode.INVALID_PARAMETER_VALUE,
        () -> store.logBatch(id, List.of(Metric.of("m", 1, 0)), List.of(new Param("q", "1"), new Param("p", "2")), List.of()));
    Run run = store.getRun(id);
    assertThat(run.data().metrics()).isEmpty();
    assertThat(run.data().params()).containsExactlyEntriesOf(Map.of("p", "1"));
  }

  @Test
  void tagsAreMutableAndDeletable() {
    String id = newRun("tags").info().runId();
    store.setTag(id, new RunTag("stage", "dev"));
    store.setTag(id, new RunTag("stage", "prod"));
    store.setTag(id, new RunTag("gone", "soon"));
    store.deleteTag(id, "gone");
    assertThat(store.getRun(id).data().tags()).containsEntry("stage", "prod").doesNotContainKey("gone");
    assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, () -> store.deleteTag(id, "gone"))
        .hasMessage("No tag with key 'gone' found on run " + id + ", so it cannot be deleted.");
    store.setTag(id, new RunTag("gone", "back"));
    assertThat(store.getRun(id).data().tags()).containsEntry("gone", "back");
  }

  @Test
  void logsABatch() {
    String id = newRun("batch").info().runId();
    List<Metric> metrics = new ArrayList<>();
    for (int step = 0; step < 900; step++) {
      metrics.add(new Metric("loss", 1.0 / (step + 1), 1000 + step, step));
    }
    List<Param> params = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      params.add(new Param("p" + i, "v" + i));
    }
    store.logBatch(id, metrics, params, List.of(new RunTag("t", "v")));
    Run run = store.getRun(id);
    assertThat(run.data().params()).hasSize(50).containsEntry("p49", "v49");
    assertThat(run.data().metric("loss")).contains(new Metric("loss", 1.0 / 900, 1899, 899));
    assertThat(store.getMetricHistory(id, "loss")).hasSize(900);
  }

  @Test
  void enforcesBatchLimitsAndKeyRulesAtTheStore() {
    String id = newRun("limits").info().runId();
    assertError(
            ErrorCode.INVALID_PARAMETER_VALUE,
            () -> store.logBatch(id, Collections.nCopies(1001, Metric.of("m", 1, 0)), List.of(), List.of()))
        .hasMessageContaining("at most 1000 metrics");
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> store.logMetric(id, Metric.of("../escape", 1, 0)))
        .hasMessageContaining("must not resolve to other names");
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> store.logParam(id, new Param("p", "x".repeat(6001))));
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> store.setTag(id, new RunTag("t", "x".repeat(8001))));
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> store.setTag(id, new RunTag("/abs", "x")));
    assertThat(store.getRun(id).data().metrics()).isEmpty();
  }

  @Test
  void searchesRunsNewestFirstByLifecycleWithPages() {
    String exp = store.createExperiment("search-runs", null, Map.of());
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(store.createRun(exp, null, 1000L + i, List.of(), "r" + i).info().runId());
    }
    store.deleteRun(ids.get(0));
    assertThat(runIds(store.searchRuns(List.of(exp), null, ViewType.ACTIVE_ONLY, 1000, null, null)))
        .containsExactly(ids.get(4), ids.get(3), ids.get(2), ids.get(1));
    assertThat(runIds(store.searchRuns(List.of(exp), null, ViewType.DELETED_ONLY, 1000, null, null)))
        .containsExactly(ids.get(0));
    List<String> paged = new ArrayList<>();
    String token = null;
    do {
      Page<Run> page = store.searchRuns(List.of(exp), null, ViewType.ALL, 2, null, token);
      paged.addAll(runIds(page));
      token = page.nextPageToken().orElse(null);
    } while (token != null);
    assertThat(paged).containsExactly(ids.get(4), ids.get(3), ids.get(2), ids.get(1), ids.get(0));
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> store.searchRuns(List.of(), null, ViewType.ALL, 10, null, null));
  }

  private DeltaTrackingStore reopen() {
    return DeltaStores.open(
        io.runlake.testing.SharedSpark.session(),
        DeltaStoreOptions.builder(store.root()).database(store.database()).shutdownHook(false).build());
  }

  private static List<String> runIds(Page<Run> page) {
    return page.items().stream().map(r -> r.info().runId()).toList();
  }
}
