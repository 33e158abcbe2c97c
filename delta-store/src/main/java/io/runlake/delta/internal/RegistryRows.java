package io.runlake.delta.internal;

import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

import io.runlake.registry.ModelStage;
import io.runlake.registry.ModelVersion;
import io.runlake.registry.ModelVersionStatus;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/** The rows of the registry's two Delta tables, and their schemas. */
final class RegistryRows {
  private RegistryRows() {}

  static final StructType MODELS_SCHEMA =
      new StructType()
          .add("name", StringType, false)
          .add("creation_timestamp", LongType)
          .add("last_updated_timestamp", LongType)
          .add("description", StringType)
          .add("tags", DataTypes.createMapType(StringType, StringType));

  static final StructType VERSIONS_SCHEMA =
      new StructType()
          .add("name", StringType, false)
          .add("version", LongType, false)
          .add("creation_timestamp", LongType)
          .add("last_updated_timestamp", LongType)
          .add("description", StringType)
          .add("user_id", StringType)
          .add("current_stage", StringType)
          .add("source", StringType)
          .add("run_id", StringType)
          .add("run_link", StringType)
          .add("status", StringType)
          .add("status_message", StringType)
          .add("tags", DataTypes.createMapType(StringType, StringType))
          .add("aliases", DataTypes.createArrayType(StringType))
          .add("deleted", BooleanType)
          .add("deleted_timestamp", LongType);

  /** A registered model as stored (aliases live on the version rows). */
  record ModelRow(
      String name, long created, long updated, String description, Map<String, String> tags) {

    ModelRow with(String newName, long now, String newDescription, Map<String, String> newTags) {
      return new ModelRow(newName, created, now, newDescription, newTags);
    }
  }

  /** A model version as stored; a deleted version keeps its row (and number), without aliases. */
  record VersionRow(ModelVersion version, boolean deleted, Long deletedAt) {}

  static ModelRow model(Row r) {
    return new ModelRow(
        r.getAs("name"),
        r.<Long>getAs("creation_timestamp"),
        r.<Long>getAs("last_updated_timestamp"),
        r.getAs("description"),
        map(r, "tags"));
  }

  static Row modelRow(ModelRow m) {
    return RowFactory.create(m.name(), m.created(), m.updated(), m.description(), m.tags());
  }

  static VersionRow version(Row r) {
    List<String> aliases = r.isNullAt(r.fieldIndex("aliases")) ? List.of() : r.getList(r.fieldIndex("aliases"));
    ModelVersion v =
        new ModelVersion(
            r.getAs("name"),
            r.<Long>getAs("version"),
            r.<Long>getAs("creation_timestamp"),
            r.<Long>getAs("last_updated_timestamp"),
            r.getAs("description"),
            r.getAs("user_id"),
            ModelStage.parse(r.getAs("current_stage")),
            r.getAs("source"),
            r.getAs("run_id"),
            r.getAs("run_link"),
            ModelVersionStatus.valueOf(r.getAs("status")),
            r.getAs("status_message"),
            map(r, "tags"),
            aliases);
    Boolean deleted = r.getAs("deleted");
    return new VersionRow(v, deleted != null && deleted, r.getAs("deleted_timestamp"));
  }

  static Row versionRow(VersionRow row) {
    ModelVersion v = row.version();
    return RowFactory.create(
        v.name(), v.version(), v.creationTimestamp(), v.lastUpdatedTimestamp(), v.description(),
        v.userId(), v.currentStage().displayName(), v.source(), v.runId(), v.runLink(),
        v.status().name(), v.statusMessage(), v.tags(), v.aliases(), row.deleted(), row.deletedAt());
  }

  private static Map<String, String> map(Row r, String field) {
    scala.collection.Map<String, String> m = r.getMap(r.fieldIndex(field));
    return m == null ? Map.of() : CollectionConverters.asJava(m);
  }
}
