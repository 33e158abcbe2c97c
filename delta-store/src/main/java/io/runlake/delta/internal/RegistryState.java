package io.runlake.delta.internal;

import io.runlake.delta.internal.RegistryRows.ModelRow;
import io.runlake.delta.internal.RegistryRows.VersionRow;
import io.runlake.registry.ModelStage;
import io.runlake.registry.ModelVersion;
import io.runlake.registry.RegisteredModel;
import io.runlake.registry.RegistryReader;
import io.runlake.registry.internal.RegistryErrors;
import io.runlake.registry.internal.RegistryValidation;
import io.runlake.search.EntityType;
import io.runlake.search.Filter;
import io.runlake.search.FilterEvaluator;
import io.runlake.search.Identifier;
import io.runlake.search.OrderBy;
import io.runlake.search.SearchSchema;
import io.runlake.tracking.Page;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The registry's contents at one moment (both tables read at one point), answering every read. The
 * live registry builds one per read; past states come from time travel.
 */
final class RegistryState implements RegistryReader {
  private final List<ModelRow> models;
  private final List<VersionRow> versions;

  RegistryState(List<ModelRow> models, List<VersionRow> versions) {
    this.models = models;
    this.versions = versions;
  }

  Optional<ModelRow> findModel(String name) {
    return models.stream().filter(m -> m.name().equals(name)).findFirst();
  }

  ModelRow model(String name) {
    return findModel(name).orElseThrow(() -> RegistryErrors.modelNotFound(name));
  }

  /** The live (not deleted) versions of a model, oldest first. */
  List<ModelVersion> liveVersions(String name) {
    return versions.stream()
        .filter(v -> !v.deleted() && v.version().name().equals(name))
        .map(VersionRow::version)
        .sorted(Comparator.comparingLong(ModelVersion::version))
        .toList();
  }

  @Override
  public RegisteredModel getRegisteredModel(String name) {
    RegistryValidation.modelName(name);
    return toModel(model(name));
  }

  RegisteredModel toModel(ModelRow m) {
    Map<String, Long> aliases = new LinkedHashMap<>();
    List<ModelVersion> live = liveVersions(m.name());
    for (ModelVersion v : live) {
      v.aliases().forEach(a -> aliases.put(a, v.version()));
    }
    return new RegisteredModel(
        m.name(), m.created(), m.updated(), m.description(), m.tags(), aliases, latest(live, List.of()));
  }

  @Override
  public Page<RegisteredModel> searchRegisteredModels(
      String filter, int maxResults, List<String> orderBy, String pageToken) {
    Filter f = Filter.parse(filter, SearchSchema.REGISTERED_MODELS);
    List<OrderBy> order = orders(orderBy, SearchSchema.REGISTERED_MODELS, "name");
    List<RegisteredModel> all =
        models.stream()
            .map(this::toModel)
            .filter(m -> FilterEvaluator.matches(f, id -> modelValue(m, id)))
            .sorted(comparator(order, RegistryState::modelValue))
            .toList();
    return page(all, maxResults, pageToken);
  }

  @Override
  public List<ModelVersion> getLatestVersions(String name, List<String> stages) {
    RegistryValidation.modelName(name);
    model(name);
    return latest(liveVersions(name), stages == null ? List.of() : stages);
  }

  /** MLflow's latest versions: the newest of each requested stage (of every stage when none). */
  private static List<ModelVersion> latest(List<ModelVersion> live, List<String> stages) {
    List<ModelStage> wanted =
        stages.isEmpty() ? List.of(ModelStage.values()) : stages.stream().map(ModelStage::parse).toList();
    List<ModelVersion> out = new ArrayList<>();
    for (ModelStage stage : wanted) {
      live.stream()
          .filter(v -> v.currentStage() == stage)
          .max(Comparator.comparingLong(ModelVersion::version))
          .ifPresent(out::add);
    }
    return out;
  }

  @Override
  public ModelVersion getModelVersion(String name, long version) {
    RegistryValidation.modelName(name);
    return versionRow(name, version).version();
  }

  VersionRow versionRow(String name, long version) {
    return versions.stream()
        .filter(v -> !v.deleted() && v.version().name().equals(name) && v.version().version() == version)
        .findFirst()
        .orElseThrow(() -> RegistryErrors.versionNotFound(name, version));
  }

  /** The next version number: one above every number ever given, deleted versions included. */
  long nextVersion(String name) {
    return versions.stream()
            .filter(v -> v.version().name().equals(name))
            .mapToLong(v -> v.version().version())
            .max()
            .orElse(0)
        + 1;
  }

  @Override
  public ModelVersion getModelVersionByAlias(String name, String alias) {
    RegistryValidation.modelName(name);
    return liveVersions(name).stream()
        .filter(v -> v.aliases().contains(alias))
        .findFirst()
        .orElseThrow(() -> RegistryErrors.aliasNotFound(name, alias));
  }

  @Override
  public Page<ModelVersion> searchModelVersions(
      String filter, int maxResults, List<String> orderBy, String pageToken) {
    Filter f = Filter.parse(filter, SearchSchema.MODEL_VERSIONS);
    List<OrderBy> order = orders(orderBy, SearchSchema.MODEL_VERSIONS, "name");
    order.add(new OrderBy(new Identifier(EntityType.ATTRIBUTE, "version_number"), false));
    List<ModelVersion> all =
        versions.stream()
            .filter(v -> !v.deleted())
            .map(VersionRow::version)
            .filter(v -> FilterEvaluator.matches(f, id -> versionValue(v, id)))
            .sorted(comparator(order, RegistryState::versionValue))
            .toList();
    return page(all, maxResults, pageToken);
  }

  @Override
  public List<ModelVersion> versionsOfRun(String runId) {
    return versions.stream()
        .filter(v -> !v.deleted() && runId.equals(v.version().runId()))
        .map(VersionRow::version)
        .sorted(Comparator.comparing(ModelVersion::name).thenComparingLong(ModelVersion::version))
        .toList();
  }

  List<ModelRow> models() {
    return models;
  }

  List<VersionRow> versions() {
    return versions;
  }

  private static Object modelValue(RegisteredModel m, Identifier id) {
    if (id.type() == EntityType.TAG) {
      return m.tags().get(id.key());
    }
    return switch (id.key()) {
      case "name" -> m.name();
      case "creation_timestamp" -> m.creationTimestamp();
      case "last_updated_timestamp" -> m.lastUpdatedTimestamp();
      default -> null;
    };
  }

  private static Object versionValue(ModelVersion v, Identifier id) {
    if (id.type() == EntityType.TAG) {
      return v.tags().get(id.key());
    }
    return switch (id.key()) {
      case "name" -> v.name();
      case "version_number" -> v.version();
      case "run_id" -> v.runId();
      case "source_path" -> v.source();
      case "current_stage" -> v.currentStage().displayName();
      case "user_id" -> v.userId();
      case "creation_timestamp" -> v.creationTimestamp();
      case "last_updated_timestamp" -> v.lastUpdatedTimestamp();
      default -> null;
    };
  }

  private static List<OrderBy> orders(List<String> clauses, SearchSchema schema, String defaultKey) {
    List<OrderBy> order = new ArrayList<>();
    for (String c : clauses == null ? List.<String>of() : clauses) {
      order.add(OrderBy.parse(c, schema));
    }
    order.add(new OrderBy(new Identifier(EntityType.ATTRIBUTE, defaultKey), true));
    return order;
  }

  private interface Values<T> {
    Object of(T item, Identifier id);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static <T> Comparator<T> comparator(List<OrderBy> order, Values<T> values) {
    Comparator<T> result = (a, b) -> 0;
    for (OrderBy o : order) {
      Comparator<Comparable> direction = o.ascending() ? Comparator.naturalOrder() : Comparator.reverseOrder();
      result = result.thenComparing(t -> (Comparable) values.of(t, o.identifier()), Comparator.nullsLast(direction));
    }
    return result;
  }

  private static <T> Page<T> page(List<T> all, int maxResults, String pageToken) {
    if (maxResults < 1 || maxResults > RunSearch.MAX_RESULTS_LIMIT) {
      throw io.runlake.tracking.internal.TrackingErrors.badMaxResults(maxResults, RunSearch.MAX_RESULTS_LIMIT);
    }
    int offset = PageTokens.offset(pageToken);
    int end = Math.min(all.size(), offset + maxResults);
    List<T> items = offset >= all.size() ? List.of() : all.subList(offset, end);
    return new Page<>(items, PageTokens.next(end, end < all.size()));
  }
}
