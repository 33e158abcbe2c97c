package io.runlake.tracking;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Experiment and run tracking with MLflow's semantics. This is the seam between everything that tracks
 * (driver API, Spark plugin, REST server, CLI) and where the data lives (Delta tables, or a remote
 * server).
 *
 * <p>Writes may be buffered: a call that returns has validated its input and accepted it, and
 * {@link #flush()} makes everything accepted so far durable. Reads see every write accepted by this
 * store instance, flushed or not. Every method throws {@link io.runlake.errors.RunlakeException} with an
 * MLflow error code when its input breaks a rule or names something that does not exist.
 */
public interface TrackingStore extends AutoCloseable {

  /** The id of the experiment that always exists, named {@value #DEFAULT_EXPERIMENT_NAME}. */
  String DEFAULT_EXPERIMENT_ID = "0";

  String DEFAULT_EXPERIMENT_NAME = "Default";

  // ---------------------------------------------------------------- experiments

  /**
   * Creates an experiment and returns its id.
   *
   * @param artifactLocation where its runs' artifacts go; null for the store's default
   * @throws io.runlake.errors.RunlakeException RESOURCE_ALREADY_EXISTS if an experiment (active or
   *     deleted) already has this name; INVALID_PARAMETER_VALUE if the name or a tag is invalid
   */
  String createExperiment(String name, String artifactLocation, Map<String, String> tags);

  /** @throws io.runlake.errors.RunlakeException RESOURCE_DOES_NOT_EXIST if there is no such id */
  Experiment getExperiment(String experimentId);

  /** The experiment with this exact name, active or deleted. */
  Optional<Experiment> findExperimentByName(String name);

  /** @throws io.runlake.errors.RunlakeException RESOURCE_ALREADY_EXISTS if the new name is taken */
  void renameExperiment(String experimentId, String newName);

  /** Soft-deletes the experiment and its runs; {@link #restoreExperiment} undoes it. */
  void deleteExperiment(String experimentId);

  void restoreExperiment(String experimentId);

  void setExperimentTag(String experimentId, String key, String value);

  void deleteExperimentTag(String experimentId, String key);

  /**
   * Experiments matching {@code filter} (keys {@code name}, {@code experiment_id},
   * {@code creation_time}, {@code last_update_time}, {@code tags.<key>}) in {@code orderBy} order;
   * by default newest first, then id.
   */
  Page<Experiment> searchExperiments(
      String filter, ViewType viewType, int maxResults, List<String> orderBy, String pageToken);

  // ---------------------------------------------------------------- runs

  /**
   * Creates a RUNNING run.
   *
   * @param userId the user; null for the current OS user
   * @param startTime milliseconds since the epoch; null for now
   * @param runName null to generate one; it is mirrored in tag {@code mlflow.runName}
   * @throws io.runlake.errors.RunlakeException RESOURCE_DOES_NOT_EXIST for an unknown experiment,
   *     INVALID_STATE for a deleted one
   */
  Run createRun(
      String experimentId, String userId, Long startTime, List<RunTag> tags, String runName);

  /** @throws io.runlake.errors.RunlakeException RESOURCE_DOES_NOT_EXIST if there is no such run */
  Run getRun(String runId);

  /**
   * Sets the run's status, end time and/or name (null leaves a field as it is).
   *
   * @return the run's attributes after the update
   */
  RunInfo updateRun(String runId, RunStatus status, Long endTime, String runName);

  void deleteRun(String runId);

  void restoreRun(String runId);

  void logMetric(String runId, Metric metric);

  /**
   * @throws io.runlake.errors.RunlakeException INVALID_PARAMETER_VALUE if the param was already logged
   *     with a different value
   */
  void logParam(String runId, Param param);

  void setTag(String runId, RunTag tag);

  /** @throws io.runlake.errors.RunlakeException RESOURCE_DOES_NOT_EXIST if the run has no such tag */
  void deleteTag(String runId, String key);

  /** Logs metrics, params and tags in one call, within MLflow's batch limits; all or nothing. */
  void logBatch(String runId, List<Metric> metrics, List<Param> params, List<RunTag> tags);

  /** Records datasets the run used (MLflow's {@code log_inputs}); logging one again is harmless. */
  void logInputs(String runId, List<DatasetInput> inputs);

  /** Records data a run read or wrote (its lineage); the {@code lineage} view lists it. */
  void logLineage(String runId, List<LineageRecord> records);

  /** Every point of metric {@code key}, ordered by step, timestamp, value. */
  List<Metric> getMetricHistory(String runId, String key);

  /**
   * Runs of the given experiments that match {@code filter}, in {@code orderBy} order.
   *
   * @param filter MLflow filter syntax ({@code metrics.auc > 0.9 AND params.model = 'gbt'}), plus OR,
   *     NOT and parentheses; null or empty matches every run
   * @param orderBy clauses such as {@code metrics.auc DESC}; missing values sort last; the default
   *     (and the tie-breaker) is {@code start_time DESC, run_id ASC}
   * @param maxResults 1 to 50,000
   * @param pageToken null for the first page, else the token of the previous page of the same search
   * @throws io.runlake.errors.RunlakeException INVALID_PARAMETER_VALUE for a malformed filter, order or
   *     token, saying what is wrong and where
   */
  Page<Run> searchRuns(
      List<String> experimentIds,
      String filter,
      ViewType viewType,
      int maxResults,
      List<String> orderBy,
      String pageToken);

  // ---------------------------------------------------------------- durability and liveness

  /** Makes every write accepted so far durable. Returns once it is. */
  void flush();

  /**
   * Flushes, then brings whatever this store serves SQL from up to date, so that queries over its
   * tables and views see every write accepted so far. For stores without SQL tables it is a flush.
   */
  default void sync() {
    flush();
  }

  /**
   * Records that the process owning these runs is alive. Buffered like any write; the store's writer
   * also sends heartbeats on its own for the runs it created and has not ended.
   */
  void heartbeat(List<String> runIds);

  /** RUNNING runs whose last heartbeat (or start) is older than {@code timeout}. */
  List<RunInfo> findStaleRuns(Duration timeout);

  /**
   * Ends every stale RUNNING run (see {@link #findStaleRuns}) as KILLED, with its last heartbeat as end
   * time. Returns the runs it ended.
   */
  List<RunInfo> markStaleRunsKilled(Duration timeout);

  /** The model registry kept alongside this store's runs. */
  io.runlake.registry.ModelRegistry registry();

  /** Flushes and releases the store's resources. */
  @Override
  void close();
}
