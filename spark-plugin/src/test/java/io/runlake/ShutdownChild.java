package io.runlake;

import io.runlake.delta.DeltaStores;
import org.apache.spark.sql.SparkSession;

/** Starts a run, logs to it without flushing, then exits normally or waits to be killed. */
public final class ShutdownChild {
  public static void main(String[] args) throws Exception {
    SparkSession spark =
        DeltaStores.configure(SparkSession.builder().master("local[1]").appName("shutdown-child"))
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .getOrCreate();
    Tracking tracking = Runlake.tracking(spark, args[0]);
    ActiveRun run = tracking.startRun(args[1]);
    run.logMetric("m", 1.0);
    System.out.println("STARTED " + run.id());
    if (args[1].equals("hang")) {
      Thread.sleep(Long.MAX_VALUE);
    }
  }
}
