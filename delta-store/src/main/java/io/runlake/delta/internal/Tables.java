package io.runlake.delta.internal;

import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

import io.delta.tables.DeltaTable;
import io.delta.tables.DeltaTableBuilder;
import io.runlake.errors.ErrorCode;
import io.runlake.errors.RunlakeException;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Where a store's Delta tables live, their schemas, and their registration in the Spark catalog.
 *
 * <p>Four physical tables sit under the store root:
 *
 * <ul>
 *   <li>{@code experiments}: one row per experiment; small, rewritten under a serializable transaction
 *       so that names stay unique;
 *   <li>{@code events}: the journal, append-only; every tracking write (run created or updated, metric
 *       point, param, tag set or deleted) is one row, and one flush is one blind append, so writers never
 *       conflict;
 *   <li>{@code run_state}: one row per run, folded from the journal by {@link RunState}, with params,
 *       tags and latest metrics as maps;
 *   <li>{@code run_keys}: the key index, one row per run, key and value, so that predicates on a
 *       metric, param or tag skip files ({@link KeyIndex}).
 * </ul>
 *
 * Views over them ({@code runs}, {@code metrics}, {@code params}, {@code tags}, {@code latest_metrics})
 * are what analysts query. The model registry keeps {@code registered_models} and {@code model_versions},
 * small tables rewritten whole under serializable transactions, so that Delta time travel shows the
 * registry as it was at any version.
 */
final class Tables {
  static final String EXPERIMENTS = "experiments";
  static final String EVENTS = "events";
  static final String RUN_STATE = "run_state";
  static final String RUN_KEYS = "run_keys";
  static final String REGISTERED_MODELS = "registered_models";
  static final String MODEL_VERSIONS = "model_versions";

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  static final StructType EXPERIMENTS_SCHEMA =
      new StructType()
          .add("experiment_id", StringType, false)
          .add("name", StringType, false)
          .add("artifact_location", StringType)
          .add("lifecycle_stage", StringType, false)
          .add("creation_time", LongType)
          .add("last_update_time", LongType)
          .add("tags", DataTypes.createMapType(StringType, StringType));

  static final StructType EVENTS_SCHEMA =
      new StructType()
          .add("run_id", StringType, false)
          .add("experiment_id", StringType)
          .add("kind", StringType, false)
          .add("key", StringType)
          .add("value", StringType)
          .add("metric_value", DoubleType)
          .add("step", LongType)
          .add("timestamp", LongType)
          .add("run_name", StringType)
          .add("user_id", StringType)
          .add("status", StringType)
          .add("start_time", LongType)
          .add("end_time", LongType)
          .add("lifecycle_stage", StringType)
          .add("artifact_uri", StringType)
          .add("heartbeat_time", LongType)
          .add("deleted_time", LongType)
          .add("writer_id", StringType)
          .add("seq", LongType);

  /** Key and values first: Delta keeps min/max statistics of a table's leading columns. */
  static final StructType RUN_KEYS_SCHEMA =
      new StructType()
          .add("kind", StringType, false)
          .add("key", StringType, false)
          .add("num", DoubleType)
          .add("text", StringType)
          .add("run_id", StringType, false)
          .add("experiment_id", StringType);

  static final StructType LATEST_METRIC =
      new StructType()
          .add("step", LongType)
          .add("timestamp", LongType)
          .add("value", DoubleType);

  static final StructType RUN_STATE_SCHEMA =
      new StructType()
          .add("run_id", StringType, false)
          .add("experiment_id", StringType)
          .add("run_name", StringType)
          .add("user_id", StringType)
          .add("status", StringType)
          .add("start_time", LongType)
          .add("end_time", LongType)
          .add("lifecycle_stage", StringType)
          .add("artifact_uri", StringType)
          .add("heartbeat_time", LongType)
          .add("deleted_time", LongType)
          .add("params", DataTypes.createMapType(StringType, StringType))
          .add("tags", DataTypes.createMapType(StringType, StringType))
          .add("latest_metrics", DataTypes.createMapType(StringType, LATEST_METRIC))
          .add("inputs", DataTypes.createArrayType(StringType));

  /** The fields of a dataset input, as its JSON in {@code run_state.inputs} holds them. */
  static final String INPUT_SCHEMA =
      "name STRING, digest STRING, source_type STRING, source STRING, schema STRING,"
          + " profile STRING, context STRING";

  /** The columns of the {@code runs} view, as expressions over {@code run_state}. */
  static final String[] RUNS_VIEW_COLUMNS = {
    "run_id", "experiment_id", "run_name", "user_id", "status", "start_time", "end_time",
    "lifecycle_stage", "artifact_uri", "heartbeat_time", "params", "tags",
    "transform_values(latest_metrics, (k, m) -> m.value) AS metrics",
    "transform(inputs, j -> from_json(j, '" + INPUT_SCHEMA + "')) AS inputs"
  };

  /** What searches read: the {@code runs} view's columns, and the latest metrics' steps and times. */
  static final String[] SEARCH_COLUMNS = searchColumns();

  private static String[] searchColumns() {
    String[] columns = java.util.Arrays.copyOf(RUNS_VIEW_COLUMNS, RUNS_VIEW_COLUMNS.length + 1);
    columns[RUNS_VIEW_COLUMNS.length] = "latest_metrics";
    return columns;
  }

  private final SparkSession spark;
  private final String root;
  private final String database;

  Tables(SparkSession spark, String root, String database) {
    if (!IDENTIFIER.matcher(database).matches()) {
      throw new RunlakeException(
          ErrorCode.INVALID_PARAMETER_VALUE,
          "Invalid database name '" + database + "': use letters, digits and '_', starting with a"
              + " letter or '_'.");
    }
    this.spark = spark;
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
    this.database = database;
  }

  String root() {
    return root;
  }

  String database() {
    return database;
  }

  String path(String table) {
    return root + "/" + table;
  }

  String artifactRoot() {
    return root + "/artifacts";
  }

  /** Whether {@code path} (qualified) lies in one of runlake's own tables or its default artifact root. */
  boolean owns(String path) {
    for (String table : List.of(EXPERIMENTS, EVENTS, RUN_STATE, RUN_KEYS, REGISTERED_MODELS, MODEL_VERSIONS, "artifacts")) {
      String dir = path(table);
      if (path.equals(dir) || path.startsWith(dir + "/")) {
        return true;
      }
    }
    return false;
  }

  /** {@code `db`.`name`}: a catalog name quoted for SQL text runlake writes itself. */
  String qualified(String name) {
    return "`" + database + "`.`" + name + "`";
  }

  /** Creates the tables that do not exist yet; safe when several processes do it at once. */
  void createIfMissing() {
    create(
        EXPERIMENTS,
        EXPERIMENTS_SCHEMA,
        Map.of("delta.isolationLevel", "Serializable"));
    create(
        EVENTS,
        EVENTS_SCHEMA,
        Map.of("delta.enableChangeDataFeed", "true"));
    create(RUN_STATE, RUN_STATE_SCHEMA, Map.of());
    create(RUN_KEYS, RUN_KEYS_SCHEMA, Map.of());
    create(REGISTERED_MODELS, RegistryRows.MODELS_SCHEMA, Map.of("delta.isolationLevel", "Serializable"));
    create(MODEL_VERSIONS, RegistryRows.VERSIONS_SCHEMA, Map.of("delta.isolationLevel", "Serializable"));
  }

  private void create(String name, StructType schema, Map<String, String> properties) {
    String path = path(name);
    if (DeltaTable.isDeltaTable(spark, path)) {
      return;
    }
    DeltaTableBuilder builder = DeltaTable.createIfNotExists(spark).location(path).addColumns(schema);
    properties.forEach(builder::property);
    try {
      builder.execute();
    } catch (RuntimeException e) {
      // Case: another process created the table between our check and our commit. Its table is
      // the one everyone uses; ours was not committed.
      if (!DeltaTable.isDeltaTable(spark, path)) {
        throw new RunlakeException(
            ErrorCode.INTERNAL_ERROR,
            "Could not create the Delta table " + path + ": " + e.getMessage()
                + ". Check that the store root is writable.",
            e);
      }
    }
  }

  /**
   * Registers the tables and views in the Spark catalog under the store's database, so that
   * {@code SELECT * FROM runlake.runs} works in this session.
   *
   * @throws RunlakeException INVALID_STATE if the database already holds the tables of another store
   */
  void registerInCatalog() {
    spark.sql("CREATE DATABASE IF NOT EXISTS `" + database + "`");
    for (String table :
        new String[] {EXPERIMENTS, EVENTS, RUN_STATE, REGISTERED_MODELS, MODEL_VERSIONS}) {
      registerTable(table);
    }
    view("runs", "SELECT " + String.join(", ", RUNS_VIEW_COLUMNS) + " FROM " + qualified(RUN_STATE));
    view(
        "metrics",
        "SELECT run_id, experiment_id, key, metric_value AS value, timestamp, step"
            + " FROM " + qualified(EVENTS) + " WHERE kind = 'metric'");
    view(
        "params",
        "SELECT run_id, experiment_id, key, value FROM " + qualified(RUN_STATE)
            + " LATERAL VIEW explode(params) p AS key, value");
    view(
        "tags",
        "SELECT run_id, experiment_id, key, value FROM " + qualified(RUN_STATE)
            + " LATERAL VIEW explode(tags) t AS key, value");
    view(
        "lineage",
        "SELECT DISTINCT run_id, experiment_id, key AS direction,"
            + " get_json_object(value, '$.path') AS path, get_json_object(value, '$.format') AS format,"
            + " get_json_object(value, '$.table') AS table_name,"
            + " CAST(get_json_object(value, '$.version') AS BIGINT) AS version"
            + " FROM " + qualified(EVENTS) + " WHERE kind = 'lineage'");
    view(
        "latest_metrics",
        "SELECT run_id, experiment_id, key, m.value AS value, m.timestamp AS timestamp,"
            + " m.step AS step FROM " + qualified(RUN_STATE)
            + " LATERAL VIEW explode(latest_metrics) l AS key, m");
  }

  private void registerTable(String table) {
    String path = path(table);
    String name = qualified(table);
    if (spark.catalog().tableExists(database, table)) {
      String location =
          spark
              .sql("DESCRIBE DETAIL " + name)
              .select("location")
              .first()
              .getString(0);
      if (!sameLocation(location, path)) {
        throw new RunlakeException(
            ErrorCode.INVALID_STATE,
            "The Spark catalog database '" + database + "' already holds the runlake tables of the"
                + " store at " + location + ", not " + path + ". Open this store with another"
                + " database name, or drop database '" + database + "' (its tables are external:"
                + " no data is lost).");
      }
      return;
    }
    try {
      spark.catalog().createTable(database + "." + table, path, "delta");
    } catch (RuntimeException e) {
      // Case: a concurrent registration in this session won; it registered the same path.
      if (!spark.catalog().tableExists(database, table)) {
        throw e;
      }
    }
  }

  private void view(String name, String query) {
    spark.sql("CREATE OR REPLACE VIEW " + qualified(name) + " AS " + query);
  }

  private static boolean sameLocation(String a, String b) {
    return normalize(a).equals(normalize(b));
  }

  private static String normalize(String location) {
    String s = location.replaceFirst("^file:/+", "/");
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
