package io.runlake.delta.internal;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.map_from_entries;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.min_by;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Folds journal events into run state rows, in Spark, so that a refresh of a million events never
 * passes through the driver.
 *
 * <p>The rules are MLflow's, made exact for a journal where many writers interleave. Events are ordered
 * by (commit version, position in the commit), which is the order Delta committed them in:
 *
 * <ul>
 *   <li>run attributes: the last non-null value of each wins; {@code experiment_id} never changes;
 *       {@code heartbeat_time} is the greatest seen;
 *   <li>params: the first value logged for a key wins (params are immutable; writers check before they
 *       accept a param, so a later different value only arrives from a race between two processes);
 *   <li>tags: the last event for a key wins; a null value deletes the tag;
 *   <li>latest metrics: per key the point with the greatest (step, timestamp, value), NaN greatest,
 *       compared with the state's current latest point.
 * </ul>
 */
final class RunStateFold {
  private RunStateFold() {}

  private static final String[] LAST_WINS = {
    "run_name", "user_id", "status", "start_time", "end_time", "lifecycle_stage", "artifact_uri",
    "deleted_time"
  };

  /**
   * The new state of every run that {@code events} touch.
   *
   * @param old the current state rows of (at least) those runs, in {@link Tables#RUN_STATE_SCHEMA}
   * @param events journal rows with their {@code _commit_version}
   */
  static Dataset<Row> fold(Dataset<Row> old, Dataset<Row> events) {
    Column order = struct(col("_commit_version"), col("seq"));

    List<Column> attributes = new ArrayList<>();
    attributes.add(max_by(col("experiment_id"), when(col("experiment_id").isNotNull(), order)).as("n_experiment_id"));
    for (String name : LAST_WINS) {
      attributes.add(max_by(col(name), when(col(name).isNotNull(), order)).as("n_" + name));
    }
    attributes.add(max(col("heartbeat_time")).as("n_heartbeat_time"));
    Dataset<Row> runs =
        events
            .groupBy("run_id")
            .agg(attributes.get(0), attributes.subList(1, attributes.size()).toArray(Column[]::new));

    Dataset<Row> params =
        perKey(events, "param", min_by(col("value"), order)).withColumnRenamed("m", "n_params");
    Dataset<Row> tags =
        perKey(events, "tag", max_by(struct(col("value").as("v")), order))
            .withColumnRenamed("m", "n_tags");
    Dataset<Row> metrics =
        perKey(
                events,
                "metric",
                max(struct(col("step"), col("timestamp"), col("metric_value").as("value"))))
            .withColumnRenamed("m", "n_metrics");

    Dataset<Row> changed =
        runs.join(params, "run_id", "left")
            .join(tags, "run_id", "left")
            .join(metrics, "run_id", "left");
    Dataset<Row> previous = old.toDF(prefixed(old.columns()));
    Dataset<Row> both =
        changed.join(previous, changed.col("run_id").equalTo(previous.col("o_run_id")), "left");

    return both
        .selectExpr(
            "run_id",
            "coalesce(o_experiment_id, n_experiment_id) AS experiment_id",
            "coalesce(n_run_name, o_run_name) AS run_name",
            "coalesce(n_user_id, o_user_id) AS user_id",
            "coalesce(n_status, o_status) AS status",
            "coalesce(n_start_time, o_start_time) AS start_time",
            "coalesce(n_end_time, o_end_time) AS end_time",
            "coalesce(n_lifecycle_stage, o_lifecycle_stage) AS lifecycle_stage",
            "coalesce(n_artifact_uri, o_artifact_uri) AS artifact_uri",
            "greatest(n_heartbeat_time, o_heartbeat_time) AS heartbeat_time",
            "coalesce(n_deleted_time, o_deleted_time) AS deleted_time",
            "map_zip_with(coalesce(o_params, map()), coalesce(n_params, map()),"
                + " (k, o, n) -> coalesce(o, n)) AS params",
            "map_filter(map_zip_with(coalesce(o_tags, map()), coalesce(n_tags, map()),"
                + " (k, o, n) -> CASE WHEN n IS NULL THEN o ELSE n.v END), (k, v) -> v IS NOT NULL)"
                + " AS tags",
            "map_zip_with(coalesce(o_latest_metrics, map()), coalesce(n_metrics, map()),"
                + " (k, o, n) -> greatest(o, n)) AS latest_metrics")
        // A run is only state once its creation event is in: events of a run never created (which
        // writers do not produce) are left in the journal, not turned into half a run.
        .where(expr("start_time IS NOT NULL"));
  }

  /** Per run, a map from key to the aggregate of that key's events of one kind. */
  private static Dataset<Row> perKey(Dataset<Row> events, String kind, Column aggregate) {
    return events
        .where(col("kind").equalTo(kind))
        .groupBy("run_id", "key")
        .agg(aggregate.as("a"))
        .groupBy("run_id")
        .agg(map_from_entries(collect_list(struct(col("key"), col("a")))).as("m"));
  }

  private static String[] prefixed(String[] columns) {
    String[] out = new String[columns.length];
    for (int i = 0; i < columns.length; i++) {
      out[i] = "o_" + columns[i];
    }
    return out;
  }
}
