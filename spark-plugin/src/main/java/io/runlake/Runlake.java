package io.runlake;

import io.runlake.delta.DeltaStoreOptions;
import io.runlake.delta.DeltaStores;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.SparkSession;

/**
 * The entry point of runlake's driver API.
 *
 * <pre>{@code
 * Tracking tracking = Runlake.tracking();            // ./runlake-data, or $RUNLAKE_STORE
 * tracking.setExperiment("churn");
 * tracking.withRun("baseline", run -> {
 *   run.logParam("depth", "5");
 *   run.logMetric("auc", 0.91);
 * });
 * }</pre>
 *
 * A store root (a directory or file system URI such as {@code s3a://bucket/runlake}) is opened once per
 * Spark session: asking again for the same root returns the same {@link Tracking}.
 */
public final class Runlake {
  private static final Map<String, Tracking> OPEN = new ConcurrentHashMap<>();

  private Runlake() {}

  /** Tracking on the default store root, in the active Spark session or a new local one. */
  public static Tracking tracking() {
    return tracking(DeltaStores.localSession());
  }

  /** Tracking on {@code root}, in the active Spark session or a new local one. */
  public static Tracking tracking(String root) {
    return tracking(DeltaStores.localSession(), root);
  }

  /**
   * Tracking on the store the session names ({@code spark.runlake.store}, {@code spark.runlake.database}),
   * else the default.
   */
  public static Tracking tracking(SparkSession spark) {
    return tracking(
        spark,
        DeltaStoreOptions.builder(DeltaStores.defaultRoot(spark))
            .database(DeltaStores.defaultDatabase(spark))
            .build());
  }

  public static Tracking tracking(SparkSession spark, String root) {
    return tracking(spark, DeltaStoreOptions.builder(root).build());
  }

  /** Whether {@link #tracking(SparkSession, DeltaStoreOptions)} has an open tracking on {@code root} for {@code spark}. */
  public static boolean isOpen(SparkSession spark, String root) {
    Tracking t = OPEN.get(System.identityHashCode(spark) + "|" + DeltaStores.qualify(root));
    return t != null && !t.isClosed();
  }

  /** Tracking on the store {@code options} describe (root, catalog database, batching). */
  public static Tracking tracking(SparkSession spark, DeltaStoreOptions options) {
    String key = System.identityHashCode(spark) + "|" + DeltaStores.qualify(options.root());
    return OPEN.compute(
        key,
        (k, existing) ->
            existing != null && !existing.isClosed()
                ? existing
                : new Tracking(DeltaStores.open(spark, options), () -> OPEN.remove(k)));
  }
}
