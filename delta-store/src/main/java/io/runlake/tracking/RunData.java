package io.runlake.tracking;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** What was logged to a run: the latest point of each metric, the params and the tags. Immutable. */
public record RunData(List<Metric> metrics, Map<String, String> params, Map<String, String> tags) {

  public RunData {
    metrics = List.copyOf(metrics);
    params = Collections.unmodifiableMap(new TreeMap<>(params));
    tags = Collections.unmodifiableMap(new TreeMap<>(tags));
  }

  /** The latest point of metric {@code key}, if it was logged. */
  public Optional<Metric> metric(String key) {
    return metrics.stream().filter(m -> m.key().equals(key)).findFirst();
  }
}
