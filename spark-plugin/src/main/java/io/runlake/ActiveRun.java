package io.runlake;

import io.runlake.tracking.Metric;
import io.runlake.tracking.Param;
import io.runlake.tracking.Run;
import io.runlake.tracking.RunInfo;
import io.runlake.tracking.RunStatus;
import io.runlake.tracking.RunTag;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A started run: log to it, then end it. In a try-with-resources block it ends FINISHED on close,
 * unless it was ended before; call {@link #fail(Throwable)} from a catch clause, or use
 * {@link Tracking#withRun}, to end it FAILED when the work throws.
 *
 * <p>Logging calls are buffered by the store; {@link #flush()} and {@link #end} are the points where
 * everything logged is durable.
 */
public final class ActiveRun implements AutoCloseable {
  static final String ERROR_TAG = "runlake.error";

  private final Tracking tracking;
  private final RunInfo info;
  private volatile boolean ended;

  ActiveRun(Tracking tracking, RunInfo info) {
    this.tracking = tracking;
    this.info = info;
  }

  public String id() {
    return info.runId();
  }

  /** The tracking this run belongs to (its client, its registry). */
  public Tracking tracking() {
    return tracking;
  }

  /** The run's attributes as they were at start. */
  public RunInfo info() {
    return info;
  }

  /** The run as the store has it now, with everything logged so far. */
  public Run read() {
    return tracking.store().getRun(id());
  }

  public ActiveRun logMetric(String key, double value) {
    return logMetric(key, value, 0);
  }

  public ActiveRun logMetric(String key, double value, long step) {
    tracking.store().logMetric(id(), Tracking.metric(key, value, step));
    return this;
  }

  public ActiveRun logMetric(String key, double value, long step, long timestamp) {
    tracking.store().logMetric(id(), new Metric(key, value, timestamp, step));
    return this;
  }

  /** Logs a map of metrics at one step, in one batch. */
  public ActiveRun logMetrics(Map<String, ? extends Number> metrics, long step) {
    long now = System.currentTimeMillis();
    List<Metric> batch = new ArrayList<>();
    metrics.forEach((k, v) -> batch.add(new Metric(k, v.doubleValue(), now, step)));
    tracking.store().logBatch(id(), batch, List.of(), List.of());
    return this;
  }

  /** Logs a param; its value is converted with {@code String.valueOf}. */
  public ActiveRun logParam(String key, Object value) {
    tracking.store().logParam(id(), Tracking.param(key, value));
    return this;
  }

  public ActiveRun logParams(Map<String, ?> params) {
    List<Param> batch = new ArrayList<>();
    params.forEach((k, v) -> batch.add(Tracking.param(k, v)));
    tracking.store().logBatch(id(), List.of(), batch, List.of());
    return this;
  }

  public ActiveRun setTag(String key, String value) {
    tracking.store().setTag(id(), Tracking.tag(key, value));
    return this;
  }

  public ActiveRun setTags(Map<String, String> tags) {
    List<RunTag> batch = new ArrayList<>();
    tags.forEach((k, v) -> batch.add(Tracking.tag(k, v)));
    tracking.store().logBatch(id(), List.of(), List.of(), batch);
    return this;
  }

  public ActiveRun deleteTag(String key) {
    tracking.store().deleteTag(id(), key);
    return this;
  }

  public ActiveRun logBatch(List<Metric> metrics, List<Param> params, List<RunTag> tags) {
    tracking.store().logBatch(id(), metrics, params, tags);
    return this;
  }

  /** Makes everything logged so far durable. */
  public void flush() {
    tracking.store().flush();
  }

  /** Ends the run with {@code status} and makes everything logged to it durable. Idempotent. */
  public void end(RunStatus status) {
    if (ended) {
      return;
    }
    ended = true;
    try {
      tracking.store().updateRun(id(), status, System.currentTimeMillis(), null);
      tracking.store().flush();
    } finally {
      tracking.pop(this);
    }
  }

  /** Ends the run FAILED, recording the error's class, message and stack trace in tag {@value #ERROR_TAG}. */
  public void fail(Throwable error) {
    if (ended) {
      return;
    }
    StringWriter trace = new StringWriter();
    error.printStackTrace(new PrintWriter(trace));
    String text = trace.toString();
    tracking.store().setTag(id(), new RunTag(ERROR_TAG, text.length() > 8000 ? text.substring(0, 8000) : text));
    end(RunStatus.FAILED);
  }

  public boolean isEnded() {
    return ended;
  }

  /** Ends the run FINISHED unless it has been ended already. */
  @Override
  public void close() {
    end(RunStatus.FINISHED);
  }
}
