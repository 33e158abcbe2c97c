package io.runlake.tracking;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** An experiment: a named group of runs with an artifact location. Immutable. */
public record Experiment(
    String experimentId,
    String name,
    String artifactLocation,
    LifecycleStage lifecycleStage,
    long creationTime,
    long lastUpdateTime,
    Map<String, String> tags) {

  public Experiment {
    tags = Collections.unmodifiableMap(new TreeMap<>(tags));
  }
}
