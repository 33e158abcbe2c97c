package io.runlake.models.spark;

import io.runlake.registry.ModelVersion;
import java.util.Optional;

/** What a model URI names at the moment it is resolved: a location, and the version if registered. */
public record ResolvedModel(String uri, String location, Optional<ModelVersion> version) {}
