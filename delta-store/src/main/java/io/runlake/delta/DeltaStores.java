package io.runlake.delta;

import io.runlake.delta.internal.DeltaTrackingStore;
import io.runlake.errors.ErrorCode;
import io.runlake.errors.RunlakeException;
import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens tracking stores kept in Delta tables, and configures Spark sessions for them.
 *
 * <pre>{@code
 * SparkSession spark = DeltaStores.configure(SparkSession.builder().master("local[*]")).getOrCreate();
 * try (DeltaTrackingStore store = DeltaStores.open(spark, "s3a://bucket/runlake")) { ... }
 * }</pre>
 */
public final class DeltaStores {
  private static final Logger LOG = LoggerFactory.getLogger(DeltaStores.class);

  /** Environment variable naming the default store root. */
  public static final String ROOT_ENV = "RUNLAKE_STORE";

  /** Spark conf key (and JVM system property) naming the default store root. */
  public static final String ROOT_CONF = "spark.runlake.store";

  /** The root used when nothing names one: {@code ./runlake-data}, as MLflow uses {@code ./mlruns}. */
  public static final String EMBEDDED_ROOT = "runlake-data";

  static final String DELTA_EXTENSION = "io.delta.sql.DeltaSparkSessionExtension";
  static final String DELTA_CATALOG = "org.apache.spark.sql.delta.catalog.DeltaCatalog";
  static final String LOCAL_LOG_STORE_KEY = "spark.delta.logStore.file.impl";

  private DeltaStores() {}

  /** Opens (creating if needed) the store at {@code root} with default options. */
  public static DeltaTrackingStore open(SparkSession spark, String root) {
    return open(spark, DeltaStoreOptions.builder(root).build());
  }

  /**
   * Opens (creating if needed) the store described by {@code options}, and registers its tables and
   * views in the session's catalog.
   *
   * @throws RunlakeException INVALID_STATE if the session lacks Delta's SQL extension (configure it
   *     with {@link #configure}), or if the catalog database holds another store's tables
   */
  public static DeltaTrackingStore open(SparkSession spark, DeltaStoreOptions options) {
    requireDelta(spark);
    String root = qualify(options.root());
    if (root.startsWith("file:")) {
      ensureAtomicLocalCommits(spark);
    }
    DeltaTrackingStore store = new DeltaTrackingStore(spark, options, root);
    if (options.shutdownHook()) {
      // Hadoop's hook manager runs hooks by priority; Spark stops its context at priority 40
      // (FileSystem's 10 + 30), so at 70 the journal is flushed while Spark still runs.
      org.apache.hadoop.util.ShutdownHookManager.get()
          .addShutdownHook(
              () -> {
                try {
                  store.flushOnShutdown();
                } catch (RuntimeException e) {
                  LOG.error("runlake could not flush buffered tracking writes at JVM shutdown", e);
                }
              },
              70);
    }
    return store;
  }

  /**
   * The store root to use when the caller names none: the {@value #ROOT_CONF} Spark conf or system
   * property, else the {@value #ROOT_ENV} environment variable, else {@value #EMBEDDED_ROOT} in the
   * working directory.
   */
  public static String defaultRoot(SparkSession spark) {
    if (spark != null && spark.conf().contains(ROOT_CONF)) {
      return spark.conf().get(ROOT_CONF);
    }
    String property = System.getProperty(ROOT_CONF);
    if (property != null && !property.isBlank()) {
      return property;
    }
    String env = System.getenv(ROOT_ENV);
    return env != null && !env.isBlank() ? env : EMBEDDED_ROOT;
  }

  /** Spark conf key naming the catalog database of the default store. */
  public static final String DATABASE_CONF = "spark.runlake.database";

  /** The catalog database for the default store: {@value #DATABASE_CONF}, else {@code runlake}. */
  public static String defaultDatabase(SparkSession spark) {
    return spark != null && spark.conf().contains(DATABASE_CONF)
        ? spark.conf().get(DATABASE_CONF)
        : DeltaStoreOptions.DEFAULT_DATABASE;
  }

  /** Adds what a runlake store needs to a session being built: Delta and safe local commits. */
  public static SparkSession.Builder configure(SparkSession.Builder builder) {
    return builder
        .config("spark.sql.extensions", DELTA_EXTENSION)
        .config("spark.sql.catalog.spark_catalog", DELTA_CATALOG)
        .config(LOCAL_LOG_STORE_KEY, AtomicLocalLogStore.class.getName())
        .config("spark.databricks.delta.snapshotPartitions", "2")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.showConsoleProgress", "false");
  }

  /**
   * The session a store runs on when the caller has none: the active session if there is one, else a
   * new local session using every core, configured by {@link #configure}.
   */
  public static SparkSession localSession() {
    return SparkSession.getActiveSession()
        .getOrElse(
            () ->
                configure(SparkSession.builder().master("local[*]").appName("runlake"))
                    .config("spark.sql.warehouse.dir", warehouseDir())
                    .getOrCreate());
  }

  private static String warehouseDir() {
    return Paths.get(System.getProperty("java.io.tmpdir"), "runlake-spark-warehouse").toString();
  }

  /** A local path becomes an absolute {@code file:} URI; a URI with a scheme is kept. */
  public static String qualify(String root) {
    if (root == null || root.isBlank()) {
      throw new RunlakeException(
          ErrorCode.INVALID_PARAMETER_VALUE,
          "The store root is empty. Name a directory or a file system URI such as"
              + " s3a://bucket/runlake.");
    }
    URI uri = URI.create(root.replace(" ", "%20"));
    if (uri.getScheme() != null && uri.getScheme().length() > 1) {
      return root;
    }
    Path path = Paths.get(root).toAbsolutePath().normalize();
    return "file:" + path;
  }

  private static void requireDelta(SparkSession spark) {
    String extensions = spark.conf().get("spark.sql.extensions", "");
    if (!extensions.contains(DELTA_EXTENSION)) {
      throw new RunlakeException(
          ErrorCode.INVALID_STATE,
          "The Spark session is not configured for Delta Lake, which runlake stores use. Start it"
              + " with --conf spark.sql.extensions=" + DELTA_EXTENSION
              + " --conf spark.sql.catalog.spark_catalog=" + DELTA_CATALOG
              + " (or build it with DeltaStores.configure(builder)).");
    }
  }

  /**
   * Delta reads the log store class from the SparkConf when it first touches a {@code file:} table. A
   * session built without {@link #configure} gets it set here, before that first touch, if possible.
   */
  private static void ensureAtomicLocalCommits(SparkSession spark) {
    SparkConf conf = SparkEnv.get() != null ? SparkEnv.get().conf() : null;
    if (conf == null || conf.contains(LOCAL_LOG_STORE_KEY)) {
      return;
    }
    conf.set(LOCAL_LOG_STORE_KEY, AtomicLocalLogStore.class.getName());
    LOG.info(
        "Set {}={} so that several processes can commit to a local store safely",
        LOCAL_LOG_STORE_KEY,
        AtomicLocalLogStore.class.getName());
  }
}
