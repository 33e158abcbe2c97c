package io.runlake.delta;

import static org.assertj.core.api.Assertions.assertThat;

import io.runlake.delta.internal.DeltaTrackingStore;
import io.runlake.testing.ChildJvm;
import io.runlake.testing.SharedSpark;
import io.runlake.testing.TestStores;
import io.runlake.tracking.Run;
import io.runlake.tracking.RunInfo;
import io.runlake.tracking.RunStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DurabilityTest {

  @Test
  void whatAFlushAcknowledgedSurvivesSigkillAndTheRunIsDetectedAsStale() throws Exception {
    Path root = SharedSpark.newDirectory("durability");
    try (DeltaTrackingStore store = TestStores.open(root, "durability")) {
      String experiment = store.createExperiment("doomed", null, Map.of());
      String runId;
      try (ChildJvm child =
          ChildJvm.start(
              ChildWriter.class,
              root.resolveSibling("doomed.log"),
              "flush-and-hang", store.root(), experiment, "1500")) {
        runId = child.awaitLine("FLUSHED", 240).substring("FLUSHED ".length());
        Thread.sleep(1500); // a few heartbeats land
        child.kill();
      }
      long killedAt = System.currentTimeMillis();

      assertThat(store.getMetricHistory(runId, "m")).hasSize(1500);
      Run run = store.getRun(runId);
      assertThat(run.data().params()).containsEntry("p", "v");
      assertThat(run.info().status()).isEqualTo(RunStatus.RUNNING);
      assertThat(run.info().heartbeatTime()).isGreaterThan(run.info().startTime());
      assertThat(store.findStaleRuns(Duration.ofMinutes(5))).extracting(RunInfo::runId).doesNotContain(runId);

      Thread.sleep(Math.max(0, run.info().heartbeatTime() + 3000 - System.currentTimeMillis()));
      List<RunInfo> stale = store.findStaleRuns(Duration.ofSeconds(2));
      assertThat(stale).extracting(RunInfo::runId).contains(runId);

      List<RunInfo> killed = store.markStaleRunsKilled(Duration.ofSeconds(2));
      assertThat(killed).extracting(RunInfo::runId).contains(runId);
      RunInfo after = store.getRun(runId).info();
      assertThat(after.status()).isEqualTo(RunStatus.KILLED);
      assertThat(after.endTime()).isEqualTo(run.info().heartbeatTime()).isLessThanOrEqualTo(killedAt);
      assertThat(store.findStaleRuns(Duration.ofSeconds(2))).extracting(RunInfo::runId).doesNotContain(runId);
    }
  }
}
