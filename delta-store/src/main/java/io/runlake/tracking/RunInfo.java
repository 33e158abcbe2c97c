package io.runlake.tracking;

/**
 * A run's attributes. {@code endTime} is null while the run has not ended. {@code heartbeatTime} is the last
 * time the process that owns the run showed it was alive; a RUNNING run whose heartbeat is old was
 * abandoned (see {@link TrackingStore#markStaleRunsKilled}).
 */
public record RunInfo(
    String runId,
    String experimentId,
    String runName,
    String userId,
    RunStatus status,
    long startTime,
    Long endTime,
    String artifactUri,
    LifecycleStage lifecycleStage,
    Long heartbeatTime) {}
