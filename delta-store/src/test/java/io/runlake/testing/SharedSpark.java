package io.runlake.testing;

import io.runlake.delta.DeltaStores;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The one SparkSession of a test JVM (a session costs about 5 s to start). Tests share it and keep
 * their data apart with their own store roots and catalog databases.
 */
public final class SharedSpark {
  private static SparkSession session;
  private static Path scratch;

  private SharedSpark() {}

  public static synchronized SparkSession session() {
    if (session == null) {
      session =
          DeltaStores.configure(SparkSession.builder().master("local[2]").appName("runlake-tests"))
              .config("spark.sql.warehouse.dir", scratch().resolve("warehouse").toString())
              .config("spark.ui.enabled", "false")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.driver.bindAddress", "127.0.0.1")
              .config("spark.sql.shuffle.partitions", "2")
              .config("spark.default.parallelism", "2")
              .getOrCreate();
    }
    return session;
  }

  /** A new empty directory under this JVM's scratch directory. */
  public static Path newDirectory(String prefix) {
    try {
      return Files.createTempDirectory(scratch(), prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static synchronized Path scratch() {
    if (scratch == null) {
      try {
        Path target = Path.of("target");
        Files.createDirectories(target);
        scratch = Files.createTempDirectory(target.toAbsolutePath(), "test-data-");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return scratch;
  }
}
