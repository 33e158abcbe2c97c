package io.runlake.delta.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runlake.tracking.DatasetInput;
import io.runlake.tracking.Experiment;
import io.runlake.tracking.LineageRecord;
import io.runlake.tracking.LifecycleStage;
import io.runlake.tracking.Metric;
import io.runlake.tracking.Run;
import io.runlake.tracking.RunData;
import io.runlake.tracking.RunInfo;
import io.runlake.tracking.RunStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import scala.jdk.javaapi.CollectionConverters;

/** Converts between table rows and the public entities. */
final class Rows {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Rows() {}

  static Experiment experiment(Row r) {
    return new Experiment(
        r.getAs("experiment_id"),
        r.getAs("name"),
        r.getAs("artifact_location"),
        LifecycleStage.fromWireName(r.getAs("lifecycle_stage")),
        r.<Long>getAs("creation_time"),
        r.<Long>getAs("last_update_time"),
        stringMap(r, "tags"));
  }

  static Row experimentRow(Experiment e) {
    return RowFactory.create(
        e.experimentId(),
        e.name(),
        e.artifactLocation(),
        e.lifecycleStage().wireName(),
        e.creationTime(),
        e.lastUpdateTime(),
        e.tags());
  }

  /** A run from a {@code run_state} row. */
  static Run run(Row r) {
    RunInfo info =
        new RunInfo(
            r.getAs("run_id"),
            r.getAs("experiment_id"),
            r.getAs("run_name"),
            r.getAs("user_id"),
            RunStatus.valueOf(r.getAs("status")),
            r.<Long>getAs("start_time"),
            r.getAs("end_time"),
            r.getAs("artifact_uri"),
            LifecycleStage.fromWireName(r.getAs("lifecycle_stage")),
            r.getAs("heartbeat_time"));
    List<Metric> metrics = new ArrayList<>();
    scala.collection.Map<String, Row> latest = r.getMap(r.fieldIndex("latest_metrics"));
    if (latest != null) {
      CollectionConverters.asJava(latest)
          .forEach(
              (key, m) ->
                  metrics.add(
                      new Metric(key, m.getAs("value"), m.<Long>getAs("timestamp"), m.<Long>getAs("step"))));
    }
    metrics.sort(Comparator.comparing(Metric::key));
    List<DatasetInput> inputs = new ArrayList<>();
    if (r.schema().getFieldIndex("inputs").isDefined() && !r.isNullAt(r.fieldIndex("inputs"))) {
      // run_state holds each input as JSON; the runs view as a struct.
      for (Object element : r.getList(r.fieldIndex("inputs"))) {
        inputs.add(element instanceof Row s ? input(s) : input((String) element));
      }
      inputs.sort(Comparator.comparing(DatasetInput::name).thenComparing(i -> String.valueOf(i.digest())));
    }
    return new Run(info, new RunData(metrics, stringMap(r, "params"), stringMap(r, "tags")), inputs);
  }

  /** A dataset input as the JSON object stored in the journal and in {@code run_state.inputs}. */
  static String inputJson(DatasetInput input) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("name", input.name());
    fields.put("digest", input.digest());
    fields.put("source_type", input.sourceType());
    fields.put("source", input.source());
    fields.put("schema", input.schema());
    fields.put("profile", input.profile());
    fields.put("context", input.context());
    try {
      return JSON.writeValueAsString(fields);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot encode dataset input " + input.name(), e);
    }
  }

  private static DatasetInput input(Row s) {
    return new DatasetInput(
        s.getAs("name"), s.getAs("digest"), s.getAs("source_type"), s.getAs("source"),
        s.getAs("schema"), s.getAs("profile"), s.getAs("context"));
  }

  static String lineageJson(LineageRecord r) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("path", r.path());
    fields.put("format", r.format());
    fields.put("table", r.table());
    fields.put("version", r.version());
    try {
      return JSON.writeValueAsString(fields);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot encode lineage of " + r.path(), e);
    }
  }

  static DatasetInput input(String json) {
    try {
      Map<String, String> f = JSON.readValue(json, new TypeReference<Map<String, String>>() {});
      return new DatasetInput(
          f.get("name"), f.get("digest"), f.get("source_type"), f.get("source"), f.get("schema"),
          f.get("profile"), f.get("context"));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot decode dataset input " + json, e);
    }
  }

  static Long deletedTime(Row r) {
    return r.getAs("deleted_time");
  }

  private static Map<String, String> stringMap(Row r, String field) {
    scala.collection.Map<String, String> m = r.getMap(r.fieldIndex(field));
    return m == null ? Map.of() : CollectionConverters.asJava(m);
  }
}
