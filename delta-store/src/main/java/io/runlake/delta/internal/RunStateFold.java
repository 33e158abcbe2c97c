package io.runlake.delta.internal;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.flatten;
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
 *       compared with the state's current latest point;
 *   <li>dataset inputs: a set; logging one again adds nothing.
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

    // 1. One aggregate per (run, kind, key): a run's attribute events share kind 'run' and a null
    //    key, a metric/param/tag key has one group. Every aggregate is computed for every group and
    //    only the one meaningful for the group's kind is used below: two shuffles in all, which on
    //    small refreshes costs less than a join per kind.
    List<Column> perKey = new ArrayList<>();
    perKey.add(max(col("experiment_id")).as("experiment_id"));
    for (String name : LAST_WINS) {
      perKey.add(max_by(col(name), when(col(name).isNotNull(), order)).as(name));
    }
    perKey.add(max(col("heartbeat_time")).as("heartbeat_time"));
    perKey.add(min_by(col("value"), order).as("first_value"));
    perKey.add(max_by(struct(col("value").as("v")), order).as("last_value"));
    perKey.add(max(struct(col("step"), col("timestamp"), col("metric_value").as("value"))).as("latest"));
    perKey.add(collect_set(when(col("kind").equalTo(Event.INPUT), col("value"))).as("input_values"));
    Dataset<Row> grouped =
        events
            .groupBy("run_id", "kind", "key")
            .agg(perKey.get(0), perKey.subList(1, perKey.size()).toArray(Column[]::new));

    // 2. One row per run: attributes from its 'run' group, maps from its key groups.
    Column isRun = col("kind").equalTo(Event.RUN);
    List<Column> perRun = new ArrayList<>();
    perRun.add(max(col("experiment_id")).as("n_experiment_id"));
    for (String name : LAST_WINS) {
      perRun.add(max(when(isRun, col(name))).as("n_" + name));
    }
    perRun.add(max(col("heartbeat_time")).as("n_heartbeat_time"));
    perRun.add(entries(Event.PARAM, col("first_value")).as("n_params"));
    perRun.add(entries(Event.TAG, col("last_value")).as("n_tags"));
    perRun.add(entries(Event.METRIC, col("latest")).as("n_metrics"));
    perRun.add(
        flatten(collect_list(when(col("kind").equalTo(Event.INPUT), col("input_values"))))
            .as("n_inputs"));
    Dataset<Row> changed =
        grouped.groupBy("run_id").agg(perRun.get(0), perRun.subList(1, perRun.size()).toArray(Column[]::new));

    Dataset<Row> previous = old.toDF(prefixed(old.columns()));
    Dataset<Row> both =
        changed.join(
            broadcast(previous), changed.col("run_id").equalTo(previous.col("o_run_id")), "left");
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
                + " (k, o, n) -> greatest(o, n)) AS latest_metrics",
            "array_distinct(concat(coalesce(o_inputs, array()), coalesce(n_inputs, array())))"
                + " AS inputs")
        // A run is only state once its creation event is in: events of a run never created (which
        // writers do not produce) are left in the journal, not turned into half a run.
        .where(expr("start_time IS NOT NULL"));
  }

  /** The map from key to {@code value} of a run's groups of one kind (null when it has none). */
  private static Column entries(String kind, Column value) {
    return map_from_entries(
        collect_list(when(col("kind").equalTo(kind), struct(col("key"), value))));
  }

  private static String[] prefixed(String[] columns) {
    String[] out = new String[columns.length];
    for (int i = 0; i < columns.length; i++) {
      out[i] = "o_" + columns[i];
    }
    return out;
  }
}
