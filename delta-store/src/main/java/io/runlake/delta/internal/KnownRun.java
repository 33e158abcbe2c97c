package io.runlake.delta.internal;

import io.runlake.tracking.LifecycleStage;
import io.runlake.tracking.Run;
import io.runlake.tracking.RunInfo;
import io.runlake.tracking.RunStatus;
import java.util.HashMap;
import java.util.Map;

/**
 * What a store instance knows of one run, so that a logging call is checked (the run exists and is not
 * deleted; a param is not changed) without reading Delta. Runs created by this instance are known
 * exactly; others are loaded from the state table and reloaded after {@link #FOREIGN_TTL_MS}.
 * Guarded by its own monitor.
 */
final class KnownRun {
  static final long FOREIGN_TTL_MS = 10_000;

  private RunInfo info;
  private final Map<String, String> params;
  private final Map<String, String> tags;
  private final boolean local;
  private final long loadedAt = System.currentTimeMillis();

  private KnownRun(RunInfo info, Map<String, String> params, Map<String, String> tags, boolean local) {
    this.info = info;
    this.params = new HashMap<>(params);
    this.tags = new HashMap<>(tags);
    this.local = local;
  }

  static KnownRun created(Run run) {
    return new KnownRun(run.info(), run.data().params(), run.data().tags(), true);
  }

  static KnownRun loaded(Run run) {
    return new KnownRun(run.info(), run.data().params(), run.data().tags(), false);
  }

  synchronized boolean fresh() {
    return local || System.currentTimeMillis() - loadedAt < FOREIGN_TTL_MS;
  }

  synchronized RunInfo info() {
    return info;
  }

  synchronized String experimentId() {
    return info.experimentId();
  }

  synchronized boolean deleted() {
    return info.lifecycleStage() == LifecycleStage.DELETED;
  }

  /** The value already logged for {@code key}, or null; records {@code value} when there was none. */
  synchronized String putParamIfAbsent(String key, String value) {
    return params.putIfAbsent(key, value);
  }

  synchronized String param(String key) {
    return params.get(key);
  }

  synchronized boolean hasTag(String key) {
    return tags.containsKey(key);
  }

  synchronized void tag(String key, String value) {
    if (value == null) {
      tags.remove(key);
    } else {
      tags.put(key, value);
    }
  }

  synchronized RunInfo update(RunStatus status, Long endTime, String runName) {
    info =
        new RunInfo(
            info.runId(),
            info.experimentId(),
            runName != null ? runName : info.runName(),
            info.userId(),
            status != null ? status : info.status(),
            info.startTime(),
            endTime != null ? endTime : info.endTime(),
            info.artifactUri(),
            info.lifecycleStage(),
            info.heartbeatTime());
    return info;
  }

  synchronized void lifecycle(LifecycleStage stage) {
    info =
        new RunInfo(
            info.runId(),
            info.experimentId(),
            info.runName(),
            info.userId(),
            info.status(),
            info.startTime(),
            info.endTime(),
            info.artifactUri(),
            stage,
            info.heartbeatTime());
  }
}
