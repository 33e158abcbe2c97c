package io.runlake;

import static io.runlake.testing.Errors.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runlake.errors.ErrorCode;
import io.runlake.testing.SharedSpark;
import io.runlake.tracking.Run;
import io.runlake.tracking.RunStatus;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrackingTest {
  private Tracking tracking;

  @BeforeAll
  void open() {
    System.setProperty("runlake.test", "true");
    tracking = Runlake.tracking(SharedSpark.session(), SharedSpark.newDirectory("fluent").toString());
    tracking.setExperiment("fluent");
  }

  @AfterEach
  void endLeftovers() {
    while (tracking.activeRun().isPresent()) {
      tracking.endRun();
    }
  }

  @AfterAll
  void close() {
    tracking.close();
  }

  @Test
  void setExperimentCreatesOnceThenReuses() {
    String id = tracking.setExperiment("fluent-set");
    assertThat(tracking.setExperiment("fluent-set")).isEqualTo(id);
    assertThat(tracking.experimentId()).isEqualTo(id);
    tracking.setExperiment("fluent");
  }

  @Test
  void refusesADeletedExperiment() {
    String id = tracking.setExperiment("fluent-deleted");
    tracking.client().deleteExperiment(id);
    assertError(ErrorCode.INVALID_STATE, () -> tracking.setExperiment("fluent-deleted"))
        .hasMessageContaining("it is deleted");
    tracking.setExperiment("fluent");
  }

  @Test
  void aRunClosedNormallyIsFinishedWithEverythingLogged() {
    String id;
    try (ActiveRun run = tracking.startRun("closed")) {
      id = run.id();
      assertThat(tracking.activeRun()).contains(run);
      run.logParam("depth", 5).logMetric("auc", 0.9).logMetric("loss", 0.5, 3).setTag("team", "ml");
      run.logParams(Map.of("a", 1.5, "b", true));
      run.logMetrics(Map.of("x", 1, "y", 2.5), 7);
    }
    assertThat(tracking.activeRun()).isEmpty();
    Run run = tracking.client().getRun(id);
    assertThat(run.info().status()).isEqualTo(RunStatus.FINISHED);
    assertThat(run.info().endTime()).isNotNull();
    assertThat(run.info().experimentId()).isEqualTo(tracking.experimentId());
    assertThat(run.data().params()).containsEntry("depth", "5").containsEntry("a", "1.5").containsEntry("b", "true");
    assertThat(run.data().metric("loss").get().step()).isEqualTo(3);
    assertThat(run.data().metric("y").get().value()).isEqualTo(2.5);
    assertThat(run.data().tags()).containsEntry("team", "ml").containsEntry("mlflow.runName", "closed");
  }

  @Test
  void aRunWhoseWorkThrowsIsFailedAndTheErrorRecorded() {
    AtomicReference<String> id = new AtomicReference<>();
    assertThatThrownBy(
            () ->
                tracking.withRun(
                    "throws",
                    run -> {
                      id.set(run.id());
                      run.logMetric("m", 1);
                      throw new IllegalStateException("boom");
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("boom");
    Run run = tracking.client().getRun(id.get());
    assertThat(run.info().status()).isEqualTo(RunStatus.FAILED);
    assertThat(run.data().tags().get("runlake.error")).startsWith("java.lang.IllegalStateException: boom");
    assertThat(run.data().metric("m")).isPresent();
    assertThat(tracking.activeRun()).isEmpty();
  }

  @Test
  void callInRunReturnsTheResultAndFinishes() {
    String id = tracking.callInRun("returns", ActiveRun::id);
    assertThat(tracking.client().getRun(id).info().status()).isEqualTo(RunStatus.FINISHED);
  }

  @Test
  void failInACatchClauseEndsTheRunFailed() {
    String id;
    try (ActiveRun run = tracking.startRun("caught")) {
      id = run.id();
      try {
        throw new IllegalArgumentException("bad input");
      } catch (IllegalArgumentException e) {
        run.fail(e);
      }
    }
    assertThat(tracking.client().getRun(id).info().status()).isEqualTo(RunStatus.FAILED);
  }

  @Test
  void nestedRunsPointToTheirParentAndPopBackToIt() {
    try (ActiveRun parent = tracking.startRun("parent")) {
      assertError(ErrorCode.INVALID_STATE, () -> tracking.startRun("not-nested"))
          .hasMessageContaining("is already active in this thread");
      String childId;
      try (ActiveRun child = tracking.newRun().name("child").tag("k", "v").nested().start()) {
        childId = child.id();
        assertThat(tracking.activeRun()).contains(child);
      }
      assertThat(tracking.activeRun()).contains(parent);
      Run child = tracking.client().getRun(childId);
      assertThat(child.data().tags()).containsEntry("mlflow.parentRunId", parent.id()).containsEntry("k", "v");
      assertThat(child.info().status()).isEqualTo(RunStatus.FINISHED);
    }
    assertError(ErrorCode.INVALID_STATE, () -> tracking.newRun().nested().start())
        .hasMessageContaining("needs an active parent run");
  }

  @Test
  void fluentLoggingWithoutAnActiveRunStartsOne() {
    tracking.logMetric("auto", 1.0).logParam("p", "v");
    ActiveRun run = tracking.activeRun().orElseThrow();
    tracking.endRun(RunStatus.KILLED);
    Run read = tracking.client().getRun(run.id());
    assertThat(read.info().status()).isEqualTo(RunStatus.KILLED);
    assertThat(read.data().params()).containsEntry("p", "v");
  }

  @Test
  void threadsStartedInARunLogIntoIt() throws Exception {
    try (ActiveRun run = tracking.startRun("fan-out")) {
      Thread worker = new Thread(() -> tracking.logMetric("from-worker", 42));
      worker.start();
      worker.join();
      assertThat(tracking.activeRun()).contains(run);
      assertThat(run.read().data().metric("from-worker").get().value()).isEqualTo(42.0);
    }
  }

  @Test
  void sameRootSameTracking() {
    String root = ((io.runlake.delta.internal.DeltaTrackingStore) tracking.client()).root();
    assertThat(Runlake.tracking(SharedSpark.session(), root)).isSameAs(tracking);
    assertThat(Runlake.tracking(SharedSpark.session(), root.substring("file:".length())))
        .isSameAs(tracking);
  }
}
