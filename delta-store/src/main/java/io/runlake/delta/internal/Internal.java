package io.runlake.delta.internal;

import java.util.function.Supplier;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Marks the Spark jobs runlake runs for itself (journal commits, refreshes, reads) with the local
 * property {@value #PROPERTY}, so that runlake's Spark plugin leaves them out of the application's
 * metrics and lineage.
 */
public final class Internal {
  public static final String PROPERTY = "runlake.internal";

  private Internal() {}

  static <T> T run(SparkSession spark, Supplier<T> work) {
    SparkContext sc = spark.sparkContext();
    String before = sc.getLocalProperty(PROPERTY);
    sc.setLocalProperty(PROPERTY, "true");
    try {
      return work.get();
    } finally {
      sc.setLocalProperty(PROPERTY, before);
    }
  }
}
