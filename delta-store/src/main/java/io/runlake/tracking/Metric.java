package io.runlake.tracking;

/**
 * One point of a metric's history. The value may be NaN or infinite, as in MLflow. Of a key's points, the
 * latest is the one with the greatest (step, timestamp, value).
 */
public record Metric(String key, double value, long timestamp, long step) {

  public static Metric of(String key, double value, long step) {
    return new Metric(key, value, System.currentTimeMillis(), step);
  }

  /** Orders points as MLflow picks the latest: by step, then timestamp, then value (NaN greatest). */
  public static int compareLatest(Metric a, Metric b) {
    int c = Long.compare(a.step, b.step);
    if (c == 0) {
      c = Long.compare(a.timestamp, b.timestamp);
    }
    return c != 0 ? c : Double.compare(a.value, b.value);
  }
}
