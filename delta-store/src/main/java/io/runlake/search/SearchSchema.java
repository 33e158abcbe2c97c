package io.runlake.search;

import static io.runlake.search.Comparator.EQ;
import static io.runlake.search.Comparator.GT;
import static io.runlake.search.Comparator.GTE;
import static io.runlake.search.Comparator.ILIKE;
import static io.runlake.search.Comparator.IN;
import static io.runlake.search.Comparator.LIKE;
import static io.runlake.search.Comparator.LT;
import static io.runlake.search.Comparator.LTE;
import static io.runlake.search.Comparator.NEQ;
import static io.runlake.search.Comparator.NOT_IN;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a filter may name for one kind of search (runs, experiments...): which entity types, which
 * attributes (with their aliases and types), and which comparators each allows. The parser checks a
 * filter against it, so a filter that parses can always be compiled.
 */
public final class SearchSchema {

  /** The type of an attribute, which decides its comparators and literal. */
  public enum Kind {
    STRING,
    NUMBER
  }

  static final Set<Comparator> NUMERIC = EnumSet.of(EQ, NEQ, GT, GTE, LT, LTE);
  static final Set<Comparator> TEXT = EnumSet.of(EQ, NEQ, LIKE, ILIKE);
  static final Set<Comparator> TEXT_OR_LIST = EnumSet.of(EQ, NEQ, LIKE, ILIKE, IN, NOT_IN);

  /** MLflow's run search: metrics, params, tags, attributes and datasets. */
  public static final SearchSchema RUNS =
      new Builder("run")
          .entity(EntityType.METRIC, NUMERIC, false)
          .entity(EntityType.PARAM, TEXT, true)
          .entity(EntityType.TAG, TEXT, true)
          .entity(EntityType.DATASET, TEXT_OR_LIST, false)
          .datasetField("name")
          .datasetField("digest")
          .datasetField("context")
          .attribute("run_id", Kind.STRING)
          .attribute("run_name", Kind.STRING, "run name", "Run name", "Run Name")
          .attribute("status", Kind.STRING)
          .attribute("user_id", Kind.STRING)
          .attribute("artifact_uri", Kind.STRING)
          .attribute("start_time", Kind.NUMBER, "created", "Created")
          .attribute("end_time", Kind.NUMBER)
          .build();

  /** MLflow's experiment search: name, times and tags. */
  public static final SearchSchema EXPERIMENTS =
      new Builder("experiment")
          .entity(EntityType.TAG, TEXT, true)
          .attribute("name", Kind.STRING)
          .attribute("experiment_id", Kind.STRING)
          .attribute("creation_time", Kind.NUMBER)
          .attribute("last_update_time", Kind.NUMBER)
          .build();

  /** MLflow's registered model search: name and tags. */
  public static final SearchSchema REGISTERED_MODELS =
      new Builder("registered model")
          .entity(EntityType.TAG, TEXT, true)
          .attribute("name", Kind.STRING)
          .attribute("creation_timestamp", Kind.NUMBER)
          .attribute("last_updated_timestamp", Kind.NUMBER, "timestamp")
          .build();

  /** MLflow's model version search. */
  public static final SearchSchema MODEL_VERSIONS =
      new Builder("model version")
          .entity(EntityType.TAG, TEXT, true)
          .attribute("name", Kind.STRING)
          .attribute("version_number", Kind.NUMBER, "version")
          .attribute("run_id", Kind.STRING)
          .attribute("source_path", Kind.STRING, "source")
          .attribute("current_stage", Kind.STRING)
          .attribute("user_id", Kind.STRING)
          .attribute("creation_timestamp", Kind.NUMBER)
          .attribute("last_updated_timestamp", Kind.NUMBER, "timestamp")
          .build();

  private final String subject;
  private final Map<EntityType, Set<Comparator>> entities;
  private final Set<EntityType> nullable;
  private final Map<String, String> aliases;
  private final Map<String, Kind> attributes;
  private final Set<String> datasetFields;

  private SearchSchema(Builder b) {
    this.subject = b.subject;
    this.entities = Map.copyOf(b.entities);
    this.nullable = Set.copyOf(b.nullable);
    this.aliases = Map.copyOf(b.aliases);
    this.attributes = new LinkedHashMap<>(b.attributes);
    this.datasetFields = Set.copyOf(b.datasetFields);
  }

  /** What is being searched ("run", "experiment"), for messages. */
  String subject() {
    return subject;
  }

  boolean allows(EntityType type) {
    return entities.containsKey(type);
  }

  Set<EntityType> entityTypes() {
    return entities.keySet();
  }

  /** The comparators valid for an identifier; for attributes they depend on the attribute's kind. */
  Set<Comparator> comparators(Identifier id) {
    if (id.type() == EntityType.ATTRIBUTE) {
      return attributes.get(id.key()) == Kind.NUMBER ? NUMERIC : TEXT_OR_LIST;
    }
    return entities.get(id.type());
  }

  boolean allowsIsNull(EntityType type) {
    return nullable.contains(type);
  }

  /** The canonical attribute a name or alias denotes. */
  Optional<String> attribute(String nameOrAlias) {
    String name = aliases.getOrDefault(nameOrAlias, nameOrAlias);
    return attributes.containsKey(name) ? Optional.of(name) : Optional.empty();
  }

  /** The kind of a canonical attribute. */
  public Kind kind(String attribute) {
    return attributes.get(attribute);
  }

  boolean isDatasetField(String key) {
    return datasetFields.contains(key);
  }

  String attributeList() {
    return attributes.keySet().stream()
        .map(
            a -> {
              String alias =
                  aliases.entrySet().stream()
                      .filter(e -> e.getValue().equals(a))
                      .map(Map.Entry::getKey)
                      .findFirst()
                      .map(x -> " (alias " + x + ")")
                      .orElse("");
              return a + alias;
            })
        .collect(Collectors.joining(", "));
  }

  String datasetFieldList() {
    return datasetFields.stream().sorted().collect(Collectors.joining(", "));
  }

  private static final class Builder {
    private final String subject;
    private final Map<EntityType, Set<Comparator>> entities = new LinkedHashMap<>();
    private final Set<EntityType> nullable = EnumSet.noneOf(EntityType.class);
    private final Map<String, String> aliases = new LinkedHashMap<>();
    private final Map<String, Kind> attributes = new LinkedHashMap<>();
    private final java.util.List<String> datasetFields = new java.util.ArrayList<>();

    Builder(String subject) {
      this.subject = subject;
      entities.put(EntityType.ATTRIBUTE, TEXT_OR_LIST);
    }

    Builder entity(EntityType type, Set<Comparator> comparators, boolean isNull) {
      entities.put(type, comparators);
      if (isNull) {
        nullable.add(type);
      }
      return this;
    }

    Builder attribute(String name, Kind kind, String... aliasNames) {
      attributes.put(name, kind);
      for (String a : aliasNames) {
        aliases.put(a, name);
      }
      return this;
    }

    Builder datasetField(String name) {
      datasetFields.add(name);
      return this;
    }

    SearchSchema build() {
      return new SearchSchema(this);
    }
  }
}
