package io.runlake.plugin;

import io.runlake.agent.RunlakeAgent;
import io.runlake.plugin.internal.Autologging;
import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;

/**
 * Tracking for any Spark application by configuration alone:
 *
 * <pre>
 * spark-submit --jars runlake-spark.jar --conf spark.plugins=io.runlake.plugin.RunlakePlugin \
 *   --conf spark.runlake.store=s3a://bucket/runlake --conf spark.runlake.experiment=churn ...
 * </pre>
 *
 * The application becomes a run (its name, id, Spark version, master and non-secret settings as
 * params; its jobs, stages, tasks and bytes as metrics; FINISHED, FAILED or KILLED as it ends); every
 * MLlib fit a child run with its params, data, model and evaluations; every query's sources and sinks
 * its lineage. See {@link AutologConfig} for the {@code spark.runlake.*} settings.
 */
public final class RunlakePlugin implements SparkPlugin {

  @Override
  public DriverPlugin driverPlugin() {
    return new DriverPlugin() {
      @Override
      public Map<String, String> init(SparkContext sc, PluginContext context) {
        Autologging.start(sc, AutologConfig.from(sc.getConf()));
        return Map.of();
      }

      @Override
      public void shutdown() {
        Autologging.stop();
      }
    };
  }

  @Override
  public ExecutorPlugin executorPlugin() {
    return null;
  }

  /** Whether MLlib autologging is instrumenting this JVM. */
  public static boolean agentInstalled() {
    return RunlakeAgent.isInstalled();
  }
}
