package io.runlake.scoring.batch;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.delta.tables.DeltaTable;
import io.runlake.errors.ErrorCode;
import io.runlake.errors.RunlakeException;
import io.runlake.models.spark.ResolvedModel;
import io.runlake.models.spark.Models;
import io.runlake.registry.ModelVersion;
import io.runlake.scoring.Scoring;
import io.runlake.tracking.Experiment;
import io.runlake.tracking.Metric;
import io.runlake.tracking.Param;
import io.runlake.tracking.Run;
import io.runlake.tracking.RunStatus;
import io.runlake.tracking.RunTag;
import io.runlake.tracking.TrackingStore;
import io.runlake.tracking.ViewType;
import java.io.PrintStream;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The scheduled scoring job: one model version scores one input version into one output, recorded as
 * a run.
 *
 * <ul>
 *   <li>The model URI is resolved once, so the whole job scores with one version; the input is read
 *       at one Delta version.
 *   <li>Every output row carries lineage: model name, version and run, scoring time and batch id.
 *   <li>The batch id is derived from the job and the input versions it covers, and an APPEND replaces
 *       the rows of its own batch ({@code replaceWhere}): running a job again on the same input version
 *       duplicates nothing. MERGE is idempotent by its keys; OVERWRITE by nature.
 *   <li>Incremental runs score only the rows added since the job's last successful run (its recorded
 *       input version), so a daily schedule does not rescore history.
 *   <li>The output is written by one Delta commit: a job that fails leaves it as it was, and its run
 *       ends FAILED with the reason.
 * </ul>
 */
public final class ScoringJob {
  public static final String JOB_TAG = "runlake.scoring.job";
  public static final String INPUT_VERSION_TAG = "runlake.scoring.input_version";
  public static final String ERROR_TAG = "runlake.error";
  public static final String MODEL_NAME_COLUMN = "scoring_model_name";
  public static final String MODEL_VERSION_COLUMN = "scoring_model_version";
  public static final String MODEL_RUN_COLUMN = "scoring_model_run_id";
  public static final String TIME_COLUMN = "scoring_time";
  public static final String BATCH_COLUMN = "scoring_batch_id";

  private final SparkSession spark;
  private final TrackingStore store;
  private final ScoringJobSpec spec;
  private final PrintStream progress;
  private final long progressIntervalMs;

  /**
   * @param progress where progress lines go on long jobs (every 5 s), or null for none
   */
  public ScoringJob(SparkSession spark, TrackingStore store, ScoringJobSpec spec, PrintStream progress) {
    this(spark, store, spec, progress, 5_000);
  }

  ScoringJob(
      SparkSession spark, TrackingStore store, ScoringJobSpec spec, PrintStream progress, long progressIntervalMs) {
    this.spark = spark;
    this.store = store;
    this.spec = spec;
    this.progress = progress;
    this.progressIntervalMs = progressIntervalMs;
  }

  /**
   * Runs the job.
   *
   * @throws RunlakeException with the reason when the job fails (its run is then FAILED and the output
   *     unchanged)
   */
  public ScoringResult run() {
    long started = System.currentTimeMillis();
    String experimentId = experiment();
    Run run =
        store.createRun(
            experimentId, null, started, List.of(new RunTag(JOB_TAG, spec.jobName())), null);
    String runId = run.info().runId();
    try (Progress watch = new Progress(spark.sparkContext(), progress, progressIntervalMs)) {
      ScoringResult result = score(runId, started);
      store.logBatch(
          runId,
          List.of(
              metric("rows_in", result.rowsIn()),
              metric("rows_out", result.rowsOut()),
              metric("duration_s", result.seconds())),
          List.of(),
          List.of(new RunTag(INPUT_VERSION_TAG, Long.toString(result.toVersion()))));
      store.updateRun(runId, RunStatus.FINISHED, System.currentTimeMillis(), null);
      store.flush();
      return result;
    } catch (Exception e) {
      // Spark throws SparkException, a checked exception, from Scala code: catch everything.
      String reason = e.getMessage() == null ? e.toString() : e.getMessage();
      store.setTag(runId, new RunTag(ERROR_TAG, reason.length() > 8000 ? reason.substring(0, 8000) : reason));
      store.updateRun(runId, RunStatus.FAILED, System.currentTimeMillis(), null);
      store.flush();
      throw e instanceof RunlakeException re
          ? re
          : new RunlakeException(ErrorCode.INTERNAL_ERROR, "Scoring job '" + spec.jobName() + "' failed: " + reason, e);
    }
  }

  private ScoringResult score(String runId, long started) {
    // Resolved once: the whole job scores with this version, whatever happens to aliases meanwhile.
    ResolvedModel model = Models.resolve(spec.modelUri(), store);
    Optional<ModelVersion> version = model.version();
    String modelRunId =
        version.map(ModelVersion::runId).orElse(Models.readMLmodel(spark, model.location()).runId().orElse(null));
    DeltaInput input = new DeltaInput(spark, spec.input());
    long to = input.latestVersion();
    long from = spec.incremental() ? lastScoredVersion() : -1;
    store.logBatch(
        runId,
        List.of(),
        params(version, model, from, to),
        List.of());

    String batchId = batchId(from, to);
    if (from >= to) {
      return new ScoringResult(runId, batchId, version.map(ModelVersion::name).orElse(null),
          version.map(ModelVersion::version).orElse(null), modelRunId, from, to, 0, 0, null,
          (System.currentTimeMillis() - started) / 1000.0);
    }
    Dataset<Row> rows = from < 0 ? input.at(to) : input.addedBetween(from, to);
    if (spec.filter() != null && !spec.filter().isBlank()) {
      rows = rows.where(spec.filter());
    }
    long rowsIn = rows.count();
    Dataset<Row> scored =
        Scoring.score(rows, model.location(), spec.outputColumns().toArray(String[]::new))
            .withColumn(MODEL_NAME_COLUMN, lit(version.map(ModelVersion::name).orElse(spec.modelUri())))
            .withColumn(MODEL_VERSION_COLUMN, lit(version.map(ModelVersion::version).orElse(null)).cast("long"))
            .withColumn(MODEL_RUN_COLUMN, lit(modelRunId).cast("string"))
            .withColumn(TIME_COLUMN, lit(new Timestamp(started)))
            .withColumn(BATCH_COLUMN, lit(batchId));
    Long outputVersion = write(scored, batchId);
    long rowsOut = rowsWritten(outputVersion, rowsIn);
    return new ScoringResult(
        runId, batchId, version.map(ModelVersion::name).orElse(null),
        version.map(ModelVersion::version).orElse(null), modelRunId, from, to, rowsIn, rowsOut,
        outputVersion, (System.currentTimeMillis() - started) / 1000.0);
  }

  /** One Delta commit: the output is either fully written or unchanged. */
  private Long write(Dataset<Row> scored, String batchId) {
    boolean exists = outputExists();
    if (!exists || spec.mode() == ScoringJobSpec.WriteMode.OVERWRITE) {
      writer(scored, "overwrite").option("overwriteSchema", "true").save(spec.output(), isPath(spec.output()));
    } else if (spec.mode() == ScoringJobSpec.WriteMode.APPEND) {
      // Replaces this batch's own rows, so a re-run of the same input versions duplicates nothing.
      writer(scored, "overwrite")
          .option("replaceWhere", BATCH_COLUMN + " = '" + batchId + "'")
          .save(spec.output(), isPath(spec.output()));
    } else {
      merge(scored);
    }
    return outputTable().history(1).select("version").first().getLong(0);
  }

  private void merge(Dataset<Row> scored) {
    if (spec.mergeKeys().isEmpty()) {
      throw new RunlakeException(
          ErrorCode.INVALID_PARAMETER_VALUE, "MERGE mode needs the key columns to merge on (--key id).");
    }
    Column on = null;
    for (String key : spec.mergeKeys()) {
      Column eq = col("t." + quote(key)).equalTo(col("s." + quote(key)));
      on = on == null ? eq : on.and(eq);
    }
    outputTable().as("t").merge(scored.as("s"), on).whenMatched().updateAll().whenNotMatched().insertAll().execute();
  }

  private Writer writer(Dataset<Row> scored, String mode) {
    return new Writer(scored.write().format("delta").mode(mode));
  }

  /** Saves to a path or a catalog table. */
  private record Writer(org.apache.spark.sql.DataFrameWriter<Row> w) {
    Writer option(String k, String v) {
      return new Writer(w.option(k, v));
    }

    void save(String output, boolean path) {
      if (path) {
        w.save(output);
      } else {
        w.saveAsTable(output);
      }
    }
  }

  private boolean outputExists() {
    if (isPath(spec.output())) {
      return DeltaTable.isDeltaTable(spark, spec.output());
    }
    return spark.catalog().tableExists(spec.output());
  }

  private DeltaTable outputTable() {
    return isPath(spec.output()) ? DeltaTable.forPath(spark, spec.output()) : DeltaTable.forName(spark, spec.output());
  }

  private long rowsWritten(Long outputVersion, long fallback) {
    Row h = outputTable().history(1).select("operationMetrics").first();
    scala.collection.Map<String, String> metrics = h.getMap(0);
    for (String key : new String[] {"numOutputRows", "numTargetRowsInserted"}) {
      if (metrics.contains(key)) {
        long n = Long.parseLong(metrics.apply(key));
        if (key.equals("numTargetRowsInserted") && metrics.contains("numTargetRowsUpdated")) {
          n += Long.parseLong(metrics.apply("numTargetRowsUpdated"));
        }
        return n;
      }
    }
    return fallback;
  }

  /** The input version the job's last successful run scored up to; -1 before the first. */
  private long lastScoredVersion() {
    List<Run> runs =
        store.searchRuns(
                List.of(experiment()),
                "tags.`" + JOB_TAG + "` = '" + spec.jobName().replace("'", "''") + "' AND status = 'FINISHED'",
                ViewType.ACTIVE_ONLY,
                1,
                List.of("start_time DESC"),
                null)
            .items();
    if (runs.isEmpty()) {
      return -1;
    }
    String v = runs.get(0).data().tags().get(INPUT_VERSION_TAG);
    return v == null ? -1 : Long.parseLong(v);
  }

  private String batchId(long from, long to) {
    String job = Integer.toHexString(spec.jobName().hashCode());
    return job + "-v" + (from + 1) + "-v" + to;
  }

  private List<Param> params(Optional<ModelVersion> version, ResolvedModel model, long from, long to) {
    List<Param> params = new ArrayList<>();
    params.add(new Param("model_uri", spec.modelUri()));
    params.add(new Param("model_location", model.location()));
    version.ifPresent(v -> {
      params.add(new Param("model_name", v.name()));
      params.add(new Param("model_version", Long.toString(v.version())));
    });
    params.add(new Param("input", spec.input()));
    params.add(new Param("output", spec.output()));
    params.add(new Param("mode", spec.mode().name()));
    params.add(new Param("incremental", Boolean.toString(spec.incremental())));
    params.add(new Param("input_version_from", Long.toString(from + 1)));
    params.add(new Param("input_version", Long.toString(to)));
    if (spec.filter() != null) {
      params.add(new Param("filter", spec.filter()));
    }
    return params;
  }

  private String experiment() {
    return store.findExperimentByName(spec.experiment())
        .map(Experiment::experimentId)
        .orElseGet(() -> {
          try {
            return store.createExperiment(spec.experiment(), null, Map.of());
          } catch (RunlakeException e) {
            if (e.code() == ErrorCode.RESOURCE_ALREADY_EXISTS) {
              return store.findExperimentByName(spec.experiment()).orElseThrow().experimentId();
            }
            throw e;
          }
        });
  }

  private static Metric metric(String key, double value) {
    return new Metric(key, value, System.currentTimeMillis(), 0);
  }

  private static boolean isPath(String name) {
    return name.contains("/") || name.contains(":");
  }

  private static String quote(String column) {
    return "`" + column.replace("`", "``") + "`";
  }
}
