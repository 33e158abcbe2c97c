package io.runlake.delta;

import io.runlake.delta.internal.DeltaTrackingStore;
import io.runlake.errors.ErrorCode;
import io.runlake.errors.RunlakeException;
import io.runlake.tracking.Metric;
import io.runlake.tracking.Param;
import io.runlake.tracking.Run;
import io.runlake.tracking.RunStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The other process of the multi-process tests. Modes:
 *
 * <ul>
 *   <li>{@code log <root> <experiment> <points> <params> <race-name>}: races to create experiment
 *       {@code race-name}, then logs one run and ends it; prints {@code RACE …} and {@code DONE <run>};
 *   <li>{@code flush-and-hang <root> <experiment> <points>}: logs, flushes, prints
 *       {@code FLUSHED <run>}, then keeps heartbeating until it is killed.
 * </ul>
 */
public final class ChildWriter {
  public static void main(String[] args) throws Exception {
    String mode = args[0];
    String root = args[1];
    String experiment = args[2];
    int points = Integer.parseInt(args[3]);
    SparkSession spark =
        DeltaStores.configure(SparkSession.builder().master("local[1]").appName("child"))
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", "1")
            .getOrCreate();
    DeltaStoreOptions options =
        DeltaStoreOptions.builder(root)
            .heartbeatInterval(Duration.ofMillis(500))
            .flushInterval(Duration.ofMillis(300))
            .refreshDelay(Duration.ofHours(1))
            .build();
    DeltaTrackingStore store = DeltaStores.open(spark, options);
    if (mode.equals("log")) {
      int params = Integer.parseInt(args[4]);
      try {
        System.out.println("RACE CREATED " + store.createExperiment(args[5], null, Map.of()));
      } catch (RunlakeException e) {
        System.out.println("RACE " + e.code());
        if (e.code() != ErrorCode.RESOURCE_ALREADY_EXISTS) {
          throw e;
        }
      }
      Run run = store.createRun(experiment, null, null, List.of(), "child");
      String id = run.info().runId();
      for (int i = 0; i < points; i++) {
        store.logMetric(id, new Metric("m" + (i % 5), i, 1000 + i, i / 5));
        if (i < params) {
          store.logParam(id, new Param("p" + i, "v" + i));
        }
      }
      store.updateRun(id, RunStatus.FINISHED, System.currentTimeMillis(), null);
      store.close();
      System.out.println("DONE " + id);
      spark.stop();
    } else {
      Run run = store.createRun(experiment, null, null, List.of(), "doomed");
      String id = run.info().runId();
      for (int i = 0; i < points; i++) {
        store.logMetric(id, new Metric("m", i, 1000 + i, i));
      }
      store.logParam(id, new Param("p", "v"));
      store.flush();
      System.out.println("FLUSHED " + id);
      Thread.sleep(Long.MAX_VALUE);
    }
  }
}
