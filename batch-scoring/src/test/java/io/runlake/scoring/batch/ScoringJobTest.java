package io.runlake.scoring.batch;

import static io.runlake.testing.Errors.assertError;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;

import io.runlake.ActiveRun;
import io.runlake.Runlake;
import io.runlake.Tracking;
import io.runlake.errors.ErrorCode;
import io.runlake.models.spark.Models;
import io.runlake.testing.SharedSpark;
import io.runlake.testing.TestStores;
import io.runlake.tracking.Run;
import io.runlake.tracking.RunStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScoringJobTest {
  private SparkSession spark;
  private Tracking tracking;
  private String base;

  @BeforeAll
  void setUp() {
    spark = SharedSpark.session();
    base = SharedSpark.newDirectory("jobs").toString();
    tracking = Runlake.tracking(spark, TestStores.options(SharedSpark.newDirectory("job-store"), "job_store").build());
    tracking.setExperiment("training");
    Dataset<Row> train = customers(0, 200).withColumn("label", when(col("x1").gt(col("x2")), 1.0).otherwise(0.0));
    PipelineModel model =
        new Pipeline()
            .setStages(new PipelineStage[] {
              new VectorAssembler().setInputCols(new String[] {"x1", "x2"}).setOutputCol("features"),
              new LogisticRegression().setMaxIter(10)
            })
            .fit(train);
    try (ActiveRun run = tracking.startRun("train")) {
      Models.logger(spark, tracking.client()).run(run.id()).input(train.select("x1", "x2")).registerAs("job-model").log(model);
      Models.logger(spark, tracking.client()).run(run.id()).artifactPath("m2").input(train.select("x1", "x2")).registerAs("job-model").log(model);
    }
    tracking.registry().setRegisteredModelAlias("job-model", "champion", 1);
  }

  @AfterAll
  void tearDown() {
    tracking.close();
  }

  private static Dataset<Row> customers(long from, long to) {
    return SharedSpark.session().range(from, to)
        .withColumn("x1", col("id").multiply(37).mod(100).divide(50.0).minus(1.0))
        .withColumn("x2", col("id").multiply(71).mod(100).divide(50.0).minus(1.0))
        .withColumn("region", when(col("id").mod(2).equalTo(0), "EU").otherwise("US"));
  }

  private String newInput(String name, long rows) {
    String path = base + "/" + name;
    customers(0, rows).write().format("delta").save(path);
    return path;
  }

  private ScoringResult run(ScoringJobSpec spec) {
    return new ScoringJob(spark, tracking.client(), spec, null).run();
  }

  @Test
  void appendsScoredRowsWithLineageAndRecordsTheRun() {
    String input = newInput("in-append", 120);
    String output = base + "/out-append";
    ScoringResult r = run(ScoringJobSpec.builder("models:/job-model@champion", input, output).jobName("append").build());
    assertThat(r.rowsIn()).isEqualTo(120);
    assertThat(r.rowsOut()).isEqualTo(120);
    assertThat(r.modelName()).isEqualTo("job-model");
    assertThat(r.modelVersion()).isEqualTo(1);
    Dataset<Row> out = spark.read().format("delta").load(output);
    assertThat(out.columns()).contains("id", "x1", "x2", "region", "prediction",
        ScoringJob.MODEL_NAME_COLUMN, ScoringJob.MODEL_VERSION_COLUMN, ScoringJob.MODEL_RUN_COLUMN,
        ScoringJob.TIME_COLUMN, ScoringJob.BATCH_COLUMN);
    Row first = out.orderBy("id").first();
    assertThat(first.<String>getAs(ScoringJob.MODEL_NAME_COLUMN)).isEqualTo("job-model");
    assertThat(first.<Long>getAs(ScoringJob.MODEL_VERSION_COLUMN)).isEqualTo(1L);
    assertThat(first.<String>getAs(ScoringJob.MODEL_RUN_COLUMN)).isEqualTo(r.modelRunId()).isNotNull();
    assertThat(first.<String>getAs(ScoringJob.BATCH_COLUMN)).isEqualTo(r.batchId());
    assertThat(first.getAs(ScoringJob.TIME_COLUMN).toString()).isNotEmpty();

    Run recorded = tracking.client().getRun(r.runId());
    assertThat(recorded.info().status()).isEqualTo(RunStatus.FINISHED);
    assertThat(recorded.data().params())
        .containsEntry("model_name", "job-model")
        .containsEntry("model_version", "1")
        .containsEntry("input_version", Long.toString(r.toVersion()))
        .containsEntry("mode", "APPEND");
    assertThat(recorded.data().metric("rows_in").get().value()).isEqualTo(120.0);
    assertThat(recorded.data().metric("rows_out").get().value()).isEqualTo(120.0);
    assertThat(recorded.data().metric("duration_s")).isPresent();

    // The same job on the same input version again: no duplicates.
    ScoringResult again = run(ScoringJobSpec.builder("models:/job-model@champion", input, output).jobName("append").build());
    assertThat(again.batchId()).isEqualTo(r.batchId());
    assertThat(spark.read().format("delta").load(output).count()).isEqualTo(120);
  }

  @Test
  void incrementalRunsScoreOnlyNewRows() {
    String input = newInput("in-incremental", 100);
    String output = base + "/out-incremental";
    ScoringJobSpec spec = ScoringJobSpec.builder("models:/job-model/1", input, output).jobName("daily").incremental(true).build();
    assertThat(run(spec).rowsIn()).isEqualTo(100);
    customers(100, 130).write().format("delta").mode("append").save(input);
    ScoringResult second = run(spec);
    assertThat(second.rowsIn()).isEqualTo(30);
    assertThat(spark.read().format("delta").load(output).count()).isEqualTo(130);
    assertThat(spark.read().format("delta").load(output).select("id").distinct().count()).isEqualTo(130);
    ScoringResult third = run(spec);
    assertThat(third.rowsIn()).as("nothing new").isZero();
    assertThat(spark.read().format("delta").load(output).count()).isEqualTo(130);

    spark.sql("DELETE FROM delta.`" + input + "` WHERE id < 5");
    assertError(ErrorCode.INVALID_STATE, () -> run(spec)).hasMessageContaining("removed or rewrote rows");
  }

  @Test
  void filtersColumnsOverwriteAndMerge() {
    String input = newInput("in-modes", 50);
    String output = base + "/out-modes";
    ScoringResult eu = run(ScoringJobSpec.builder("models:/job-model/1", input, output).jobName("eu")
        .filter("region = 'EU'").outputColumns(List.of("prediction", "probability")).mode(ScoringJobSpec.WriteMode.OVERWRITE).build());
    assertThat(eu.rowsIn()).isEqualTo(25);
    Dataset<Row> out = spark.read().format("delta").load(output);
    assertThat(out.columns()).contains("prediction", "probability");
    assertThat(out.where("region <> 'EU'").count()).isZero();

    ScoringJobSpec merge = ScoringJobSpec.builder("models:/job-model/2", input, output).jobName("merge")
        .mode(ScoringJobSpec.WriteMode.MERGE).mergeKeys(List.of("id")).outputColumns(List.of("prediction", "probability")).build();
    run(merge);
    run(merge);
    Dataset<Row> merged = spark.read().format("delta").load(output);
    assertThat(merged.count()).isEqualTo(50);
    assertThat(merged.where(col(ScoringJob.MODEL_VERSION_COLUMN).equalTo(2)).count()).isEqualTo(50);
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> run(ScoringJobSpec.builder("models:/job-model/2", input, output)
        .mode(ScoringJobSpec.WriteMode.MERGE).build())).hasMessageContaining("needs the key columns");
  }

  @Test
  void aFailedJobLeavesTheOutputAsItWasAndTheRunFailed() {
    String input = newInput("in-fail", 40);
    String output = base + "/out-fail";
    run(ScoringJobSpec.builder("models:/job-model/1", input, output).jobName("fail").build());
    long before = spark.read().format("delta").load(output).count();
    long version = io.delta.tables.DeltaTable.forPath(spark, output).history(1).first().getLong(0);
    // A null feature makes the model's VectorAssembler throw inside the write's tasks.
    customers(40, 41).withColumn("x1", lit(null).cast("double")).write().format("delta").mode("append").save(input);
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    RuntimeException failure = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
        () -> new ScoringJob(spark, tracking.client(),
            ScoringJobSpec.builder("models:/job-model/1", input, output).jobName("fail").build(),
            new PrintStream(progress)).run());
    assertThat(failure.getMessage()).isNotBlank();
    assertThat(spark.read().format("delta").load(output).count()).isEqualTo(before);
    assertThat(io.delta.tables.DeltaTable.forPath(spark, output).history(1).first().getLong(0)).isEqualTo(version);
    List<Run> runs = tracking.client().searchRuns(
        List.of(tracking.client().findExperimentByName("runlake-scoring").orElseThrow().experimentId()),
        "tags.`runlake.scoring.job` = 'fail' AND status = 'FAILED'", io.runlake.tracking.ViewType.ALL, 10, null, null).items();
    assertThat(runs).hasSize(1);
    assertThat(runs.get(0).data().tags().get(ScoringJob.ERROR_TAG)).isNotBlank();
  }

  @Test
  void reportsProgress() throws Exception {
    String input = newInput("in-progress", 60);
    ByteArrayOutputStream lines = new ByteArrayOutputStream();
    new ScoringJob(spark, tracking.client(),
        ScoringJobSpec.builder("models:/job-model/1", input, base + "/out-progress").jobName("progress").build(),
        new PrintStream(lines, true), 0).run();
    spark.sparkContext().listenerBus().waitUntilEmpty();
    assertThat(lines.toString()).containsPattern("scoring: \\d+/\\d+ tasks done, [\\d,]+ rows read");
  }

  @Test
  void refusesAnInputTheModelCannotRead() {
    String path = base + "/in-wrong";
    customers(0, 10).drop("x2").write().format("delta").save(path);
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> run(ScoringJobSpec.builder("models:/job-model/1", path, base + "/out-wrong").build()))
        .hasMessageStartingWith("The input has no column 'x2'");
    assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, () -> run(ScoringJobSpec.builder("models:/job-model/1", base + "/nothing-here", base + "/out-x").build()));
  }
}
