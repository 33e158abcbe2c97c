package io.runlake.registry;

import io.runlake.tracking.Page;
import java.util.List;

/**
 * The read operations of the model registry, answered by the live registry and by its past states
 * ({@link ModelRegistry#asOf}).
 */
public interface RegistryReader {

  /** @throws io.runlake.errors.RunlakeException RESOURCE_DOES_NOT_EXIST if there is no such model */
  RegisteredModel getRegisteredModel(String name);

  /**
   * Registered models matching {@code filter} ({@code name}, {@code tags.<key>}), by default ordered
   * by name.
   */
  Page<RegisteredModel> searchRegisteredModels(
      String filter, int maxResults, List<String> orderBy, String pageToken);

  /** The newest version in each of {@code stages} (every stage when empty). */
  List<ModelVersion> getLatestVersions(String name, List<String> stages);

  /** @throws io.runlake.errors.RunlakeException RESOURCE_DOES_NOT_EXIST if there is no such version */
  ModelVersion getModelVersion(String name, long version);

  /** @throws io.runlake.errors.RunlakeException RESOURCE_DOES_NOT_EXIST if no version holds it */
  ModelVersion getModelVersionByAlias(String name, String alias);

  /**
   * Versions matching {@code filter} ({@code name}, {@code version_number}, {@code run_id},
   * {@code source_path}, {@code current_stage}, {@code tags.<key>}), by default ordered by name, then
   * newest version first.
   */
  Page<ModelVersion> searchModelVersions(
      String filter, int maxResults, List<String> orderBy, String pageToken);

  /** The versions registered from a run: lineage from a run to its models. */
  List<ModelVersion> versionsOfRun(String runId);
}
