package io.runlake.registry;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One version of a registered model: where its files are ({@code source}), the run that produced it,
 * its stage, aliases, tags and description. Immutable.
 */
public record ModelVersion(
    String name,
    long version,
    long creationTimestamp,
    long lastUpdatedTimestamp,
    String description,
    String userId,
    ModelStage currentStage,
    String source,
    String runId,
    String runLink,
    ModelVersionStatus status,
    String statusMessage,
    Map<String, String> tags,
    List<String> aliases) {

  public ModelVersion {
    tags = Collections.unmodifiableMap(new TreeMap<>(tags));
    aliases = List.copyOf(aliases);
  }
}
