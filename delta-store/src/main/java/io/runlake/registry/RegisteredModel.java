package io.runlake.registry;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A registered model: a name under which versions are registered, with tags, a description, aliases
 * (alias to version number) and the newest version of each stage. Immutable.
 */
public record RegisteredModel(
    String name,
    long creationTimestamp,
    long lastUpdatedTimestamp,
    String description,
    Map<String, String> tags,
    Map<String, Long> aliases,
    List<ModelVersion> latestVersions) {

  public RegisteredModel {
    tags = Collections.unmodifiableMap(new TreeMap<>(tags));
    aliases = Collections.unmodifiableMap(new TreeMap<>(aliases));
    latestVersions = List.copyOf(latestVersions);
  }
}
