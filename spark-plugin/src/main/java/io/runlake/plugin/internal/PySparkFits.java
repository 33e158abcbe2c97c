package io.runlake.plugin.internal;

import io.runlake.agent.RunlakeAgent;

/**
 * The JVM end of runlake's Python hooks ({@code python/runlake/pyspark_hooks.py}), called through
 * py4j. A PySpark {@code Pipeline}, {@code CrossValidator}, {@code TrainValidationSplit} or {@code
 * OneVsRest} runs its loop in Python and calls the JVM fits of its parts one by one; the hooks tell the
 * recorder where such a fit begins and ends, passing its JVM twin ({@code _to_java()}), so that it is one
 * run like its JVM counterpart. Both calls do nothing, and never throw, when autologging is off.
 */
public final class PySparkFits {
  private PySparkFits() {}

  /** A Python-driven fit of {@code estimator} on {@code dataset} begins: returns its token, or null. */
  public static Object enter(Object estimator, Object dataset) {
    return RunlakeAgent.call("python.fit.enter", new Object[] {estimator, dataset});
  }

  /** The fit of {@code token} ended with {@code model}, or failed with {@code error}. */
  public static void exit(Object token, Object model, String error) {
    if (token != null) {
      RunlakeAgent.call("python.fit.exit", new Object[] {token, model, error});
    }
  }
}
