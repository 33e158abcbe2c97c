package io.runlake.registry;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * MLflow's model registry: registered models, their numbered versions, stages, aliases, tags and
 * descriptions, with MLflow's rules and error codes. Reads of the registry as it was at a past time or
 * table version come from {@link #asOf(Instant)} and {@link #asOfVersion(long)}.
 */
public interface ModelRegistry extends RegistryReader {

  /**
   * @throws io.runlake.errors.RunlakeException RESOURCE_ALREADY_EXISTS if the name is taken;
   *     INVALID_PARAMETER_VALUE if it is empty or holds '/' or ':'
   */
  RegisteredModel createRegisteredModel(String name, Map<String, String> tags, String description);

  /** Renames the model and its versions. */
  RegisteredModel renameRegisteredModel(String name, String newName);

  RegisteredModel updateRegisteredModel(String name, String description);

  /** Deletes the model and all its versions. */
  void deleteRegisteredModel(String name);

  void setRegisteredModelTag(String name, String key, String value);

  void deleteRegisteredModelTag(String name, String key);

  /**
   * Registers a new version of {@code name} whose files are at {@code source} (nothing is copied).
   * Versions are numbered 1, 2, 3... per model, without gaps, however many writers register at once.
   */
  ModelVersion createModelVersion(
      String name,
      String source,
      String runId,
      Map<String, String> tags,
      String runLink,
      String description);

  ModelVersion updateModelVersion(String name, long version, String description);

  /**
   * Moves a version to {@code stage} (None, Staging, Production, Archived; any case). With
   * {@code archiveExistingVersions}, the other versions in that stage (Staging or Production) move to
   * Archived.
   */
  ModelVersion transitionModelVersionStage(
      String name, long version, String stage, boolean archiveExistingVersions);

  /** Deletes a version (it keeps its number) and the aliases that pointed to it. */
  void deleteModelVersion(String name, long version);

  void setModelVersionTag(String name, long version, String key, String value);

  void deleteModelVersionTag(String name, long version, String key);

  /** Points {@code alias} at {@code version}, moving it from the version that held it. */
  void setRegisteredModelAlias(String name, String alias, long version);

  void deleteRegisteredModelAlias(String name, String alias);

  /** The URI of the version's files. */
  String getModelVersionDownloadUri(String name, long version);

  /** The registry as it was at {@code time}. */
  RegistryReader asOf(Instant time);

  /** The registry as it was at version {@code version} of the {@code model_versions} table. */
  RegistryReader asOfVersion(long version);
}
