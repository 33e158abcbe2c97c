package io.runlake.delta.internal;

import io.runlake.tracking.DatasetInput;
import io.runlake.tracking.LifecycleStage;
import io.runlake.tracking.LineageRecord;
import io.runlake.tracking.Metric;
import io.runlake.tracking.RunStatus;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * One row of the journal ({@code events} table): a single tracking write. A {@code run} event carries
 * the run attributes it sets (null for the ones it leaves alone); the other kinds carry a key and a
 * value. {@code writer_id} and {@code seq} are stamped by the {@link Journal} and order the events of
 * one commit.
 */
record Event(
    String runId,
    String experimentId,
    String kind,
    String key,
    String value,
    Double metricValue,
    Long step,
    Long timestamp,
    String runName,
    String userId,
    String status,
    Long startTime,
    Long endTime,
    String lifecycleStage,
    String artifactUri,
    Long heartbeatTime,
    Long deletedTime) {

  static final String RUN = "run";
  static final String METRIC = "metric";
  static final String PARAM = "param";
  static final String TAG = "tag";
  static final String INPUT = "input";
  static final String LINEAGE = "lineage";

  static Event runCreated(
      String runId,
      String experimentId,
      String runName,
      String userId,
      long startTime,
      String artifactUri) {
    return new Event(
        runId, experimentId, RUN, null, null, null, null, startTime, runName, userId,
        RunStatus.RUNNING.name(), startTime, null, LifecycleStage.ACTIVE.wireName(), artifactUri,
        startTime, null);
  }

  static Event runUpdated(
      String runId, String experimentId, RunStatus status, Long endTime, String runName) {
    return new Event(
        runId, experimentId, RUN, null, null, null, null, now(), runName, null,
        status == null ? null : status.name(), null, endTime, null, null, null, null);
  }

  /** A run deleted or restored at {@code time}. */
  static Event lifecycle(String runId, String experimentId, LifecycleStage stage, long time) {
    return new Event(
        runId, experimentId, RUN, null, null, null, null, time, null, null, null, null, null,
        stage.wireName(), null, null, stage == LifecycleStage.DELETED ? time : null);
  }

  static Event heartbeat(String runId, String experimentId, long time) {
    return new Event(
        runId, experimentId, RUN, null, null, null, null, time, null, null, null, null, null, null,
        null, time, null);
  }

  static Event metric(String runId, String experimentId, Metric m) {
    return new Event(
        runId, experimentId, METRIC, m.key(), null, m.value(), m.step(), m.timestamp(), null, null,
        null, null, null, null, null, null, null);
  }

  static Event param(String runId, String experimentId, String key, String value) {
    return new Event(
        runId, experimentId, PARAM, key, value, null, null, now(), null, null, null, null, null,
        null, null, null, null);
  }

  /** A tag set to {@code value}, or deleted when {@code value} is null. */
  static Event tag(String runId, String experimentId, String key, String value) {
    return new Event(
        runId, experimentId, TAG, key, value, null, null, now(), null, null, null, null, null, null,
        null, null, null);
  }

  /** A dataset input: key is the dataset name, value its JSON (see {@link Rows#inputJson}). */
  static Event input(String runId, String experimentId, DatasetInput input) {
    return new Event(
        runId, experimentId, INPUT, input.name(), Rows.inputJson(input), null, null, now(), null,
        null, null, null, null, null, null, null, null);
  }

  /** A lineage record: key is the direction ({@code read}/{@code write}), value its JSON. */
  static Event lineage(String runId, String experimentId, LineageRecord record) {
    return new Event(
        runId, experimentId, LINEAGE, record.direction().name().toLowerCase(java.util.Locale.ROOT),
        Rows.lineageJson(record), null, null, now(), null, null, null, null, null, null, null, null,
        null);
  }

  Row toRow(String writerId, long seq) {
    return RowFactory.create(
        runId, experimentId, kind, key, value, metricValue, step, timestamp, runName, userId,
        status, startTime, endTime, lifecycleStage, artifactUri, heartbeatTime, deletedTime, writerId,
        seq);
  }

  private static long now() {
    return System.currentTimeMillis();
  }
}
