package io.runlake.plugin;

import io.runlake.plugin.internal.Autologging;
import org.apache.spark.sql.SparkSession;

/**
 * runlake's autologging switched on and off in code, for applications that did not start with
 * {@link RunlakePlugin} (a notebook, a test, a long-lived service):
 *
 * <pre>{@code
 * try (Autolog.Session autolog = Autolog.start(spark, AutologConfig.of("/data/runlake", "runlake", "churn"))) {
 *   cv.fit(customers);   // a run, one child run per param map, best params, the model, lineage
 * }
 * }</pre>
 *
 * One recording is active per JVM at a time: starting another replaces it.
 */
public final class Autolog {

  /** Autologging switched on by {@link #start}. */
  public interface Session extends AutoCloseable {
    /** Waits until every fit, evaluation and query so far is logged, and makes it durable. */
    void flush();

    /** Logs what is pending, ends the application's run (if the config has one), stops recording. */
    @Override
    void close();
  }

  private Autolog() {}

  /** Starts recording the application of {@code spark} as {@code config} says. */
  public static Session start(SparkSession spark, AutologConfig config) {
    return Autologging.start(spark.sparkContext(), config);
  }

  /**
   * Stops recording MLlib fits, evaluations and query lineage until {@link #resume}. A fit already
   * under way is still logged.
   */
  public static void pause() {
    Autologging.pause();
  }

  /** Records fits, evaluations and lineage again after {@link #pause}. */
  public static void resume() {
    Autologging.resume();
  }
}
