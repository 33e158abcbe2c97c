package io.runlake;

import static org.assertj.core.api.Assertions.assertThat;

import io.runlake.delta.internal.DeltaTrackingStore;
import io.runlake.testing.ChildJvm;
import io.runlake.testing.SharedSpark;
import io.runlake.testing.TestStores;
import io.runlake.tracking.Run;
import io.runlake.tracking.RunStatus;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Runs left active when a JVM ends: FINISHED on a normal exit, KILLED when a signal stops it. */
class ShutdownTest {

  @Test
  void activeRunsEndFinishedOnExitAndKilledOnSigterm() throws Exception {
    Path root = SharedSpark.newDirectory("shutdown");
    String qualified;
    String exited;
    String terminated;
    try (DeltaTrackingStore store = TestStores.open(root, "shutdown")) {
      qualified = store.root();
    }
    try (ChildJvm normal = ChildJvm.start(ShutdownChild.class, root.resolveSibling("exit.log"), qualified, "exit");
        ChildJvm killed = ChildJvm.start(ShutdownChild.class, root.resolveSibling("term.log"), qualified, "hang")) {
      exited = normal.awaitLine("STARTED", 240).substring(8);
      terminated = killed.awaitLine("STARTED", 240).substring(8);
      assertThat(normal.waitFor(120)).isZero();
      killed.terminate();
      killed.waitFor(120);
    }
    try (DeltaTrackingStore store = TestStores.open(root, "shutdown")) {
      Run a = store.getRun(exited);
      assertThat(a.info().status()).isEqualTo(RunStatus.FINISHED);
      assertThat(a.data().metric("m").get().value()).isEqualTo(1.0);
      Run b = store.getRun(terminated);
      assertThat(b.info().status()).isEqualTo(RunStatus.KILLED);
      assertThat(b.data().metric("m").get().value()).isEqualTo(1.0);
    }
  }
}
