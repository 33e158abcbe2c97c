package io.runlake.scoring.batch;

/**
 * What a scoring job did: its run, the model version it resolved to, the input versions it read
 * (rows added after {@code fromVersion}, up to {@code toVersion}), the rows it read and wrote, and the
 * output version it committed.
 */
public record ScoringResult(
    String runId,
    String batchId,
    String modelName,
    Long modelVersion,
    String modelRunId,
    long fromVersion,
    long toVersion,
    long rowsIn,
    long rowsOut,
    Long outputVersion,
    double seconds) {}
