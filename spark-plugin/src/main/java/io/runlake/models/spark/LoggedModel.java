package io.runlake.models.spark;

import io.runlake.models.MLmodel;
import io.runlake.registry.ModelVersion;
import java.util.Optional;

/**
 * A model just logged: the run and artifact path it was logged under, its {@code runs:/} URI, the
 * location of its files, its MLmodel, and the registered version when it was registered.
 */
public record LoggedModel(
    String runId,
    String artifactPath,
    String modelUri,
    String location,
    MLmodel mlmodel,
    Optional<ModelVersion> registeredVersion) {}
