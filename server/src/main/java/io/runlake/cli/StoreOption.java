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

  /** A local Spark session for the CLI: all cores, no UI, bound to loopback. */
  static SparkSession spark() {
    return SparkSession.getActiveSession()
        .orElse(SparkSession::getDefaultSession)
        .getOrElse(
            () ->
                DeltaStores.configure(SparkSession.builder().master("local[*]").appName("runlake"))
                    .config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config(
                        "spark.sql.warehouse.dir",
                        System.getProperty("java.io.tmpdir") + "/runlake-spark-warehouse")
                    .getOrCreate());
  }

  Tracking open() {
    return Runlake.tracking(spark(), DeltaStoreOptions.builder(root()).database(database).build());
  }
}
