package io.runlake.testing;

import io.runlake.delta.DeltaStoreOptions;
import io.runlake.delta.DeltaStores;
import io.runlake.delta.internal.DeltaTrackingStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** Stores for tests: each in its own new directory and catalog database, on the shared session. */
public final class TestStores {
  private static final AtomicInteger COUNTER = new AtomicInteger();

  private TestStores() {}

  public static DeltaTrackingStore open(String name) {
    return open(SharedSpark.newDirectory(name), name);
  }

  public static DeltaTrackingStore open(Path root, String name) {
    return DeltaStores.open(SharedSpark.session(), options(root, name).build());
  }

  /** Options with a unique database and no shutdown hook (tests close their stores). */
  public static DeltaStoreOptions.Builder options(Path root, String name) {
    return DeltaStoreOptions.builder(root.toString())
        .database(name.replaceAll("[^A-Za-z0-9_]", "_") + "_" + COUNTER.incrementAndGet())
        .refreshDelay(Duration.ofMinutes(10))
        .shutdownHook(false);
  }
}
