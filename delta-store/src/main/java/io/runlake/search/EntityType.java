package io.runlake.search;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** What an identifier in a filter or order_by names: a metric, param, tag, run attribute or dataset. */
public enum EntityType {
  METRIC("metrics"),
  PARAM("params"),
  TAG("tags"),
  ATTRIBUTE("attributes"),
  DATASET("datasets");

  private static final Map<String, EntityType> PREFIXES =
      Map.ofEntries(
          Map.entry("metric", METRIC),
          Map.entry("metrics", METRIC),
          Map.entry("param", PARAM),
          Map.entry("params", PARAM),
          Map.entry("parameter", PARAM),
          Map.entry("parameters", PARAM),
          Map.entry("tag", TAG),
          Map.entry("tags", TAG),
          Map.entry("attribute", ATTRIBUTE),
          Map.entry("attributes", ATTRIBUTE),
          Map.entry("attr", ATTRIBUTE),
          Map.entry("run", ATTRIBUTE),
          Map.entry("dataset", DATASET),
          Map.entry("datasets", DATASET));

  private final String prefix;

  EntityType(String prefix) {
    this.prefix = prefix;
  }

  /** The canonical prefix printed by {@code toString()} of a filter ({@code metrics}, {@code params}...). */
  public String prefix() {
    return prefix;
  }

  /** The entity a filter prefix names, in MLflow's spellings, case-insensitively. */
  public static Optional<EntityType> ofPrefix(String prefix) {
    return Optional.ofNullable(PREFIXES.get(prefix.toLowerCase(Locale.ROOT)));
  }
}
