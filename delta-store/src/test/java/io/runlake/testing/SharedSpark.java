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

  /** runlake's SQL extension, when its module is on the test class path. */
  private static final String SCORING_EXTENSION = "io.runlake.scoring.RunlakeExtensions";

  public static synchronized SparkSession session() {
    if (session == null) {
      SparkSession.Builder builder =
          DeltaStores.configure(SparkSession.builder().master("local[2]").appName("runlake-tests"));
      if (onClassPath(SCORING_EXTENSION)) {
        builder.config("spark.sql.extensions", SCORING_EXTENSION + ",io.delta.sql.DeltaSparkSessionExtension");
      }
      session =
          builder
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

  private static boolean onClassPath(String className) {
    try {
      Class.forName(className);
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
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
