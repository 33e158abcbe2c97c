package io.runlake.cli;

import io.runlake.Runlake;
import io.runlake.Tracking;
import io.runlake.delta.DeltaStoreOptions;
import io.runlake.delta.DeltaStores;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/** The {@code --store} option every command that opens a store shares. */
final class StoreOption {
  @Option(
      names = {"-s", "--store"},
      description =
          "Store root: a directory or file system URI (s3a://bucket/path). Default: $"
              + DeltaStores.ROOT_ENV + ", else ./" + DeltaStores.EMBEDDED_ROOT + ".")
  String store;

  @Option(
      names = "--database",
      description = "Spark catalog database of the store's tables and views (default ${DEFAULT-VALUE}).")
  String database = DeltaStoreOptions.DEFAULT_DATABASE;

  String root() {
    return store != null ? store : DeltaStores.defaultRoot(null);
  }

  /**
   * The CLI's Spark session: under {@code spark-submit}, the one it configured; otherwise a local
   * session on all cores, without UI, bound to loopback.
   */
  static SparkSession spark() {
    return SparkSession.getActiveSession()
        .orElse(SparkSession::getDefaultSession)
        .getOrElse(
            () -> {
              if (System.getProperty("spark.master") != null) {
                // Under spark-submit: its --conf settings (Delta's and runlake's extensions) rule.
                return SparkSession.builder().appName("runlake").getOrCreate();
              }
              return DeltaStores.configure(SparkSession.builder().master("local[*]").appName("runlake"))
                  .config("spark.sql.extensions", "io.runlake.scoring.RunlakeExtensions," + DELTA_EXTENSION)
                  .config("spark.ui.enabled", "false")
                  .config("spark.driver.host", "127.0.0.1")
                  .config("spark.driver.bindAddress", "127.0.0.1")
                  .config(
                      "spark.sql.warehouse.dir",
                      System.getProperty("java.io.tmpdir") + "/runlake-spark-warehouse")
                  .getOrCreate();
            });
  }

  private static final String DELTA_EXTENSION = "io.delta.sql.DeltaSparkSessionExtension";

  /**
   * Opens the store, and makes it the session's default store so that the SQL functions
   * ({@code runlake_predict}, {@code runlake_score}) resolve model URIs in it too.
   */
  Tracking open() {
    SparkSession spark = spark();
    spark.conf().set(DeltaStores.ROOT_CONF, root());
    spark.conf().set(DeltaStores.DATABASE_CONF, database);
    return Runlake.tracking(spark, DeltaStoreOptions.builder(root()).database(database).build());
  }
}
