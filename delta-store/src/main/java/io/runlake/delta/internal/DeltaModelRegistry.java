package io.runlake.delta.internal;

import io.runlake.delta.internal.RegistryRows.ModelRow;
import io.runlake.delta.internal.RegistryRows.VersionRow;
import io.runlake.registry.ModelRegistry;
import io.runlake.registry.ModelStage;
import io.runlake.registry.ModelVersion;
import io.runlake.registry.ModelVersionStatus;
import io.runlake.registry.RegisteredModel;
import io.runlake.registry.RegistryReader;
import io.runlake.registry.internal.RegistryErrors;
import io.runlake.registry.internal.RegistryValidation;
import io.runlake.tracking.Page;
import io.runlake.tracking.internal.Validation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.SparkSession;

/**
 * The model registry on two small Delta tables, {@code registered_models} and {@code model_versions},
 * each changed by serializable read-check-rewrite transactions ({@link SmallTable}).
 *
 * <p>What makes concurrent writers safe, case by case:
 *
 * <ol>
 *   <li>version numbers: a new version is numbered inside the transaction that adds it, from the rows
 *       that transaction read; a writer that lost the race retries on the winner's rows and takes the
 *       next number, so numbers are unique and without gaps;
 *   <li>stages and aliases both live on the version rows: a stage transition racing an alias change
 *       conflicts in Delta, and the loser re-applies its own change to the winner's rows, so neither is
 *       lost;
 *   <li>operations on both tables (rename, delete of a model) change {@code model_versions} first, so a
 *       failure in between leaves versions that a retry of the same call completes, never a model whose
 *       versions vanished.
 * </ol>
 */
final class DeltaModelRegistry implements ModelRegistry {
  private final SmallTable<ModelRow> models;
  private final SmallTable<VersionRow> versions;

  DeltaModelRegistry(SparkSession spark, Tables tables) {
    this.models =
        new SmallTable<>(
            spark,
            tables.path(Tables.REGISTERED_MODELS),
            RegistryRows.MODELS_SCHEMA,
            RegistryRows::model,
            RegistryRows::modelRow,
            "registered models");
    this.versions =
        new SmallTable<>(
            spark,
            tables.path(Tables.MODEL_VERSIONS),
            RegistryRows.VERSIONS_SCHEMA,
            RegistryRows::version,
            RegistryRows::versionRow,
            "model versions");
  }

  private RegistryState now() {
    return new RegistryState(models.read(), versions.read());
  }

  // ---------------------------------------------------------------- reads

  @Override
  public RegisteredModel getRegisteredModel(String name) {
    return now().getRegisteredModel(name);
  }

  @Override
  public Page<RegisteredModel> searchRegisteredModels(
      String filter, int maxResults, List<String> orderBy, String pageToken) {
    return now().searchRegisteredModels(filter, maxResults, orderBy, pageToken);
  }

  @Override
  public List<ModelVersion> getLatestVersions(String name, List<String> stages) {
    return now().getLatestVersions(name, stages);
  }

  @Override
  public ModelVersion getModelVersion(String name, long version) {
    return now().getModelVersion(name, version);
  }

  @Override
  public ModelVersion getModelVersionByAlias(String name, String alias) {
    return now().getModelVersionByAlias(name, alias);
  }

  @Override
  public Page<ModelVersion> searchModelVersions(
      String filter, int maxResults, List<String> orderBy, String pageToken) {
    return now().searchModelVersions(filter, maxResults, orderBy, pageToken);
  }

  @Override
  public List<ModelVersion> versionsOfRun(String runId) {
    Validation.runId(runId);
    return now().versionsOfRun(runId);
  }

  @Override
  public String getModelVersionDownloadUri(String name, long version) {
    return getModelVersion(name, version).source();
  }

  @Override
  public RegistryReader asOf(Instant time) {
    try {
      return new RegistryState(models.readAsOf(time), versions.readAsOf(time));
    } catch (RuntimeException e) {
      throw RegistryErrors.noSuchRegistryTime("at " + time);
    }
  }

  @Override
  public RegistryReader asOfVersion(long version) {
    Instant committed =
        versions.commitTime(version).orElseThrow(() -> RegistryErrors.noSuchRegistryTime("at version " + version));
    return new RegistryState(models.readAsOf(committed), versions.readAtVersion(version));
  }

  // ---------------------------------------------------------------- registered models

  @Override
  public RegisteredModel createRegisteredModel(String name, Map<String, String> tags, String description) {
    RegistryValidation.modelName(name);
    RegistryValidation.tags(tags);
    long now = System.currentTimeMillis();
    ModelRow row = new ModelRow(name, now, now, description, tags == null ? Map.of() : tags);
    models.update(
        "creating registered model " + name,
        rows -> {
          if (rows.stream().anyMatch(m -> m.name().equals(name))) {
            if (rows.contains(row)) {
              return rows; // an earlier attempt of this call committed
            }
            throw RegistryErrors.modelExists(name);
          }
          return append(rows, row);
        });
    return getRegisteredModel(name);
  }

  @Override
  public RegisteredModel renameRegisteredModel(String name, String newName) {
    RegistryValidation.modelName(name);
    RegistryValidation.modelName(newName);
    RegistryState state = now();
    state.model(name);
    if (!name.equals(newName) && state.findModel(newName).isPresent()) {
      throw RegistryErrors.modelExists(newName);
    }
    long now = System.currentTimeMillis();
    versions.update(
        "renaming the versions of " + name,
        rows -> mapVersions(rows, v -> v.version().name().equals(name), v -> renamed(v, newName, now)));
    models.update(
        "renaming registered model " + name,
        rows -> {
          if (rows.stream().anyMatch(m -> m.name().equals(newName)) && !name.equals(newName)) {
            throw RegistryErrors.modelExists(newName);
          }
          return mapModels(rows, name, m -> m.with(newName, now, m.description(), m.tags()));
        });
    return getRegisteredModel(newName);
  }

  @Override
  public RegisteredModel updateRegisteredModel(String name, String description) {
    RegistryValidation.modelName(name);
    models.update(
        "updating registered model " + name,
        rows -> mapModels(rows, name, m -> m.with(name, System.currentTimeMillis(), description, m.tags())));
    return getRegisteredModel(name);
  }

  @Override
  public void deleteRegisteredModel(String name) {
    RegistryValidation.modelName(name);
    now().model(name);
    versions.update(
        "deleting the versions of " + name,
        rows -> rows.stream().filter(v -> !v.version().name().equals(name)).toList());
    models.update(
        "deleting registered model " + name,
        rows -> {
          requireModel(rows, name);
          return rows.stream().filter(m -> !m.name().equals(name)).toList();
        });
  }

  @Override
  public void setRegisteredModelTag(String name, String key, String value) {
    RegistryValidation.modelName(name);
    RegistryValidation.tag(key, value);
    models.update(
        "setting a tag on registered model " + name,
        rows ->
            mapModels(
                rows,
                name,
                m -> {
                  Map<String, String> tags = new HashMap<>(m.tags());
                  tags.put(key, value);
                  return m.with(name, System.currentTimeMillis(), m.description(), tags);
                }));
  }

  @Override
  public void deleteRegisteredModelTag(String name, String key) {
    RegistryValidation.modelName(name);
    Validation.tagKey(key);
    models.update(
        "deleting a tag of registered model " + name,
        rows ->
            mapModels(
                rows,
                name,
                m -> {
                  if (!m.tags().containsKey(key)) {
                    throw RegistryErrors.tagNotFound("registered model " + name, key);
                  }
                  Map<String, String> tags = new HashMap<>(m.tags());
                  tags.remove(key);
                  return m.with(name, System.currentTimeMillis(), m.description(), tags);
                }));
  }

  // ---------------------------------------------------------------- versions

  @Override
  public ModelVersion createModelVersion(
      String name,
      String source,
      String runId,
      Map<String, String> tags,
      String runLink,
      String description) {
    RegistryValidation.modelName(name);
    if (source == null || source.isBlank()) {
      throw RegistryErrors.invalid(
          "A model version needs a source: the URI of the model's files (runs:/<run_id>/<path> or a"
              + " directory URI).");
    }
    if (runId != null) {
      Validation.runId(runId);
    }
    RegistryValidation.tags(tags);
    now().model(name);
    long now = System.currentTimeMillis();
    String user = System.getProperty("user.name", "unknown");
    long[] assigned = new long[1];
    versions.update(
        "registering a version of " + name,
        rows -> {
          long next = new RegistryState(List.of(), rows).nextVersion(name);
          assigned[0] = next;
          ModelVersion v =
              new ModelVersion(
                  name, next, now, now, description, user, ModelStage.NONE, source, runId, runLink,
                  ModelVersionStatus.READY, null, tags == null ? Map.of() : tags, List.of());
          return append(rows, new VersionRow(v, false, null));
        });
    models.update(
        "touching registered model " + name,
        rows -> mapModels(rows, name, m -> m.with(name, now, m.description(), m.tags())));
    return getModelVersion(name, assigned[0]);
  }

  @Override
  public ModelVersion updateModelVersion(String name, long version, String description) {
    return changeVersion(name, version, "updating", v -> copy(v, v.currentStage(), description, v.tags(), v.aliases()));
  }

  @Override
  public ModelVersion transitionModelVersionStage(
      String name, long version, String stage, boolean archiveExistingVersions) {
    ModelStage target = ModelStage.parse(stage);
    RegistryValidation.modelName(name);
    RegistryValidation.version(version);
    versions.update(
        "moving " + name + " version " + version + " to " + target,
        rows -> {
          requireVersion(rows, name, version);
          boolean archive =
              archiveExistingVersions && (target == ModelStage.STAGING || target == ModelStage.PRODUCTION);
          return mapVersions(
              rows,
              v -> v.version().name().equals(name) && !v.deleted(),
              v -> {
                ModelVersion mv = v.version();
                if (mv.version() == version) {
                  return new VersionRow(copy(mv, target, mv.description(), mv.tags(), mv.aliases()), false, null);
                }
                if (archive && mv.currentStage() == target) {
                  return new VersionRow(copy(mv, ModelStage.ARCHIVED, mv.description(), mv.tags(), mv.aliases()), false, null);
                }
                return v;
              });
        });
    return getModelVersion(name, version);
  }

  @Override
  public void deleteModelVersion(String name, long version) {
    RegistryValidation.modelName(name);
    RegistryValidation.version(version);
    long now = System.currentTimeMillis();
    versions.update(
        "deleting " + name + " version " + version,
        rows -> {
          requireVersion(rows, name, version);
          return mapVersions(
              rows,
              v -> v.version().name().equals(name) && v.version().version() == version,
              v -> {
                ModelVersion mv = v.version();
                return new VersionRow(copy(mv, mv.currentStage(), mv.description(), mv.tags(), List.of()), true, now);
              });
        });
  }

  @Override
  public void setModelVersionTag(String name, long version, String key, String value) {
    RegistryValidation.tag(key, value);
    changeVersion(
        name,
        version,
        "tagging",
        v -> {
          Map<String, String> tags = new HashMap<>(v.tags());
          tags.put(key, value);
          return copy(v, v.currentStage(), v.description(), tags, v.aliases());
        });
  }

  @Override
  public void deleteModelVersionTag(String name, long version, String key) {
    Validation.tagKey(key);
    changeVersion(
        name,
        version,
        "untagging",
        v -> {
          if (!v.tags().containsKey(key)) {
            throw RegistryErrors.tagNotFound(name + " version " + version, key);
          }
          Map<String, String> tags = new HashMap<>(v.tags());
          tags.remove(key);
          return copy(v, v.currentStage(), v.description(), tags, v.aliases());
        });
  }

  @Override
  public void setRegisteredModelAlias(String name, String alias, long version) {
    RegistryValidation.modelName(name);
    RegistryValidation.alias(alias);
    RegistryValidation.version(version);
    versions.update(
        "pointing alias " + alias + " of " + name + " at version " + version,
        rows -> {
          requireVersion(rows, name, version);
          return mapVersions(
              rows,
              v -> v.version().name().equals(name) && !v.deleted(),
              v -> {
                ModelVersion mv = v.version();
                List<String> aliases = new ArrayList<>(mv.aliases());
                aliases.remove(alias);
                if (mv.version() == version) {
                  aliases.add(alias);
                }
                if (aliases.equals(mv.aliases())) {
                  return v;
                }
                return new VersionRow(copy(mv, mv.currentStage(), mv.description(), mv.tags(), aliases), false, null);
              });
        });
  }

  @Override
  public void deleteRegisteredModelAlias(String name, String alias) {
    RegistryValidation.modelName(name);
    RegistryValidation.alias(alias);
    versions.update(
        "deleting alias " + alias + " of " + name,
        rows -> {
          new RegistryState(List.of(), rows).getModelVersionByAlias(name, alias);
          return mapVersions(
              rows,
              v -> v.version().name().equals(name) && v.version().aliases().contains(alias),
              v -> {
                ModelVersion mv = v.version();
                List<String> aliases = new ArrayList<>(mv.aliases());
                aliases.remove(alias);
                return new VersionRow(copy(mv, mv.currentStage(), mv.description(), mv.tags(), aliases), v.deleted(), v.deletedAt());
              });
        });
  }

  // ---------------------------------------------------------------- helpers

  private ModelVersion changeVersion(
      String name, long version, String what, UnaryOperator<ModelVersion> change) {
    RegistryValidation.modelName(name);
    RegistryValidation.version(version);
    versions.update(
        what + " " + name + " version " + version,
        rows -> {
          requireVersion(rows, name, version);
          return mapVersions(
              rows,
              v -> !v.deleted() && v.version().name().equals(name) && v.version().version() == version,
              v -> new VersionRow(change.apply(v.version()), false, null));
        });
    return getModelVersion(name, version);
  }

  private static ModelVersion copy(
      ModelVersion v, ModelStage stage, String description, Map<String, String> tags, List<String> aliases) {
    return new ModelVersion(
        v.name(), v.version(), v.creationTimestamp(), System.currentTimeMillis(), description, v.userId(),
        stage, v.source(), v.runId(), v.runLink(), v.status(), v.statusMessage(), tags, aliases);
  }

  private static VersionRow renamed(VersionRow v, String newName, long now) {
    ModelVersion mv = v.version();
    return new VersionRow(
        new ModelVersion(
            newName, mv.version(), mv.creationTimestamp(), now, mv.description(), mv.userId(),
            mv.currentStage(), mv.source(), mv.runId(), mv.runLink(), mv.status(), mv.statusMessage(),
            mv.tags(), mv.aliases()),
        v.deleted(),
        v.deletedAt());
  }

  private static void requireModel(List<ModelRow> rows, String name) {
    if (rows.stream().noneMatch(m -> m.name().equals(name))) {
      throw RegistryErrors.modelNotFound(name);
    }
  }

  private static void requireVersion(List<VersionRow> rows, String name, long version) {
    new RegistryState(List.of(), rows).versionRow(name, version);
  }

  private static List<ModelRow> mapModels(List<ModelRow> rows, String name, UnaryOperator<ModelRow> change) {
    requireModel(rows, name);
    return rows.stream().map(m -> m.name().equals(name) ? change.apply(m) : m).toList();
  }

  private static List<VersionRow> mapVersions(
      List<VersionRow> rows, java.util.function.Predicate<VersionRow> which, UnaryOperator<VersionRow> change) {
    return rows.stream().map(v -> which.test(v) ? change.apply(v) : v).toList();
  }

  private static <T> List<T> append(List<T> rows, T row) {
    List<T> out = new ArrayList<>(rows);
    out.add(row);
    return out;
  }
}
