package io.runlake.testing;

import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.execution.FileSourceScanExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec;
import org.apache.spark.sql.execution.adaptive.QueryStageExec;

/** The files an executed plan's scans read, by the name of the table directory they read. */
public final class ScannedFiles {
  private ScannedFiles() {}

  public static Map<String, Long> byTable(SparkPlan plan) {
    Map<String, Long> read = new HashMap<>();
    add(plan, read);
    return read;
  }

  /** The files read in all, whatever the table. */
  public static long total(SparkPlan plan) {
    return byTable(plan).values().stream().mapToLong(Long::longValue).sum();
  }

  private static void add(SparkPlan plan, Map<String, Long> read) {
    if (plan instanceof AdaptiveSparkPlanExec adaptive) {
      add(adaptive.executedPlan(), read);
      return;
    }
    if (plan instanceof QueryStageExec stage) {
      add(stage.plan(), read);
      return;
    }
    if (plan instanceof FileSourceScanExec scan) {
      String table = scan.relation().location().rootPaths().head().getName();
      read.merge(table, (Long) scan.metrics().get("numFiles").get().value(), Long::sum);
    }
    scala.collection.Iterator<SparkPlan> children = plan.children().iterator();
    while (children.hasNext()) {
      add(children.next(), read);
    }
  }
}
