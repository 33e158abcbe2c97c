package io.runlake.delta;

import static io.runlake.testing.Errors.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.runlake.delta.internal.DeltaTrackingStore;
import io.runlake.errors.ErrorCode;
import io.runlake.testing.TestStores;
import io.runlake.tracking.Experiment;
import io.runlake.tracking.LifecycleStage;
import io.runlake.tracking.Page;
import io.runlake.tracking.Run;
import io.runlake.tracking.TrackingStore;
import io.runlake.tracking.ViewType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExperimentsTest {
  private DeltaTrackingStore store;

  @BeforeAll
  void open() {
    store = TestStores.open("experiments");
  }

  @AfterAll
  void close() {
    store.close();
  }

  @Test
  void hasADefaultExperimentZero() {
    Experiment dflt = store.getExperiment("0");
    assertThat(dflt.name()).isEqualTo("Default");
    assertThat(dflt.lifecycleStage()).isEqualTo(LifecycleStage.ACTIVE);
    assertThat(dflt.artifactLocation()).isEqualTo(store.root() + "/artifacts/0");
    assertThat(store.findExperimentByName("Default")).contains(dflt);
  }

  @Test
  void createsAndFindsAnExperimentByIdAndName() {
    String id = store.createExperiment("create-find", null, Map.of("team", "ml"));
    Experiment e = store.getExperiment(id);
    assertThat(e.name()).isEqualTo("create-find");
    assertThat(e.tags()).containsExactlyEntriesOf(Map.of("team", "ml"));
    assertThat(e.artifactLocation()).isEqualTo(store.root() + "/artifacts/" + id);
    assertThat(e.creationTime()).isPositive().isEqualTo(e.lastUpdateTime());
    assertThat(store.findExperimentByName("create-find")).contains(e);
    assertThat(store.findExperimentByName("Create-Find")).isEmpty();
  }

  @Test
  void keepsAGivenArtifactLocation() {
    String id = store.createExperiment("own-location", "s3a://bucket/somewhere", Map.of());
    assertThat(store.getExperiment(id).artifactLocation()).isEqualTo("s3a://bucket/somewhere");
  }

  @Test
  void rejectsADuplicateName() {
    String id = store.createExperiment("dup", null, Map.of());
    assertError(ErrorCode.RESOURCE_ALREADY_EXISTS, () -> store.createExperiment("dup", null, null))
        .hasMessage(
            "An experiment named 'dup' already exists (id " + id + "). Use it (id " + id
                + "), or choose another name.");
  }

  @Test
  void rejectsTheNameOfADeletedExperimentAndSaysHowToRestoreIt() {
    String id = store.createExperiment("dup-deleted", null, Map.of());
    store.deleteExperiment(id);
    assertError(
            ErrorCode.RESOURCE_ALREADY_EXISTS,
            () -> store.createExperiment("dup-deleted", null, null))
        .hasMessageContaining("It is deleted: restore it with restoreExperiment(\"" + id + "\")");
  }

  @Test
  void reportsUnknownExperiments() {
    assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, () -> store.getExperiment("424242"))
        .hasMessageStartingWith("No experiment with id '424242' exists.");
    assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, () -> store.renameExperiment("424242", "x"));
    assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, () -> store.deleteExperiment("424242"));
    assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, () -> store.setExperimentTag("424242", "k", "v"));
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> store.getExperiment("not an id"));
  }

  @Test
  void validatesNamesAndTags() {
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> store.createExperiment("", null, null));
    assertError(
        ErrorCode.INVALID_PARAMETER_VALUE,
        () -> store.createExperiment("x".repeat(501), null, null));
    assertError(
            ErrorCode.INVALID_PARAMETER_VALUE,
            () -> store.createExperiment("bad-tag", null, Map.of("a$", "v")))
        .hasMessageStartingWith("Invalid tag name 'a$'");
    assertError(
            ErrorCode.INVALID_PARAMETER_VALUE,
            () -> store.createExperiment("long-tag", null, Map.of("k", "v".repeat(5001))))
        .hasMessageContaining("more than the limit of 5000");
    assertThat(store.findExperimentByName("bad-tag")).isEmpty();
  }

  @Test
  void renames() {
    String id = store.createExperiment("before-rename", null, Map.of());
    store.renameExperiment(id, "after-rename");
    assertThat(store.getExperiment(id).name()).isEqualTo("after-rename");
    assertThat(store.findExperimentByName("before-rename")).isEmpty();
    store.renameExperiment(id, "after-rename"); // to its own name: allowed
  }

  @Test
  void refusesToRenameOntoATakenName() {
    String a = store.createExperiment("rename-a", null, Map.of());
    String b = store.createExperiment("rename-b", null, Map.of());
    assertError(ErrorCode.RESOURCE_ALREADY_EXISTS, () -> store.renameExperiment(a, "rename-b"))
        .hasMessageStartingWith("An experiment named 'rename-b' already exists (id " + b + ").");
    assertThat(store.getExperiment(a).name()).isEqualTo("rename-a");
  }

  @Test
  void deletesAndRestoresWithItsRuns() {
    String id = store.createExperiment("lifecycle", null, Map.of());
    Run kept = store.createRun(id, null, null, List.of(), "kept");
    Run deletedBefore = store.createRun(id, null, null, List.of(), "deleted-before");
    store.deleteRun(deletedBefore.info().runId());
    store.flush();

    store.deleteExperiment(id);
    Experiment deleted = store.getExperiment(id);
    assertThat(deleted.lifecycleStage()).isEqualTo(LifecycleStage.DELETED);
    assertThat(store.getRun(kept.info().runId()).info().lifecycleStage())
        .isEqualTo(LifecycleStage.DELETED);
    assertError(
            ErrorCode.INVALID_STATE, () -> store.createRun(id, null, null, List.of(), "too-late"))
        .hasMessage(
            "Cannot create a run in experiment " + id + " because it is deleted. Restore it with"
                + " restoreExperiment(\"" + id + "\") first.");
    assertError(ErrorCode.INVALID_STATE, () -> store.renameExperiment(id, "renamed-deleted"));
    assertError(ErrorCode.INVALID_STATE, () -> store.setExperimentTag(id, "k", "v"));

    store.restoreExperiment(id);
    assertThat(store.getExperiment(id).lifecycleStage()).isEqualTo(LifecycleStage.ACTIVE);
    assertThat(store.getRun(kept.info().runId()).info().lifecycleStage())
        .isEqualTo(LifecycleStage.ACTIVE);
    assertThat(store.getRun(deletedBefore.info().runId()).info().lifecycleStage())
        .as("a run deleted before its experiment stays deleted")
        .isEqualTo(LifecycleStage.DELETED);
    assertError(ErrorCode.INVALID_STATE, () -> store.restoreExperiment(id))
        .hasMessage("Experiment " + id + " is active, so there is nothing to restore.");
  }

  @Test
  void neverDeletesTheDefaultExperiment() {
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> store.deleteExperiment("0"))
        .hasMessageStartingWith("The Default experiment (id 0) cannot be deleted.");
  }

  @Test
  void setsAndDeletesTags() {
    String id = store.createExperiment("tagged", null, Map.of("a", "1"));
    store.setExperimentTag(id, "b", "2");
    store.setExperimentTag(id, "a", "3");
    assertThat(store.getExperiment(id).tags()).containsExactlyInAnyOrderEntriesOf(Map.of("a", "3", "b", "2"));
    store.deleteExperimentTag(id, "a");
    assertThat(store.getExperiment(id).tags()).containsExactlyEntriesOf(Map.of("b", "2"));
    assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, () -> store.deleteExperimentTag(id, "a"))
        .hasMessage("No tag with key 'a' found on experiment " + id + ", so it cannot be deleted.");
  }

  @Test
  void searchesByLifecycleNewestFirstWithPages() {
    String prefix = "search-" + System.nanoTime() + "-";
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(store.createExperiment(prefix + i, null, Map.of()));
    }
    store.deleteExperiment(ids.get(1));

    List<String> active =
        ids(store.searchExperiments(null, ViewType.ACTIVE_ONLY, 50_000, null, null).items(), prefix);
    assertThat(active).containsExactly(ids.get(2), ids.get(0));
    assertThat(ids(store.searchExperiments(null, ViewType.DELETED_ONLY, 1000, null, null).items(), prefix))
        .containsExactly(ids.get(1));
    assertThat(ids(store.searchExperiments(null, ViewType.ALL, 1000, null, null).items(), prefix))
        .containsExactly(ids.get(2), ids.get(1), ids.get(0));

    List<Experiment> paged = new ArrayList<>();
    String token = null;
    do {
      Page<Experiment> page = store.searchExperiments(null, ViewType.ALL, 2, null, token);
      assertThat(page.items().size()).isLessThanOrEqualTo(2);
      paged.addAll(page.items());
      token = page.nextPageToken().orElse(null);
    } while (token != null);
    assertThat(paged).containsExactlyElementsOf(store.searchExperiments(null, ViewType.ALL, 1000, null, null).items());
  }

  @Test
  void rejectsBadPagingArguments() {
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> store.searchExperiments(null, ViewType.ALL, 0, null, null))
        .hasMessage("Invalid value 0 for parameter 'max_results': it must be between 1 and 50000.");
    assertError(
        ErrorCode.INVALID_PARAMETER_VALUE, () -> store.searchExperiments(null, ViewType.ALL, 50_001, null, null));
    assertError(
            ErrorCode.INVALID_PARAMETER_VALUE,
            () -> store.searchExperiments(null, ViewType.ALL, 10, null, "garbage!"))
        .hasMessageStartingWith("Invalid page token 'garbage!'.");
  }

  @Test
  void isATrackingStore() {
    TrackingStore seam = store;
    assertThat(seam.getExperiment(TrackingStore.DEFAULT_EXPERIMENT_ID).name())
        .isEqualTo(TrackingStore.DEFAULT_EXPERIMENT_NAME);
  }

  private static List<String> ids(List<Experiment> experiments, String prefix) {
    return experiments.stream()
        .filter(e -> e.name().startsWith(prefix))
        .map(Experiment::experimentId)
        .toList();
  }
}
