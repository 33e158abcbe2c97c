package io.runlake.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.runlake.delta.DeltaStoreOptions;
import io.runlake.delta.DeltaStores;
import io.runlake.delta.internal.DeltaTrackingStore;
import io.runlake.registry.ModelVersion;
import io.runlake.testing.SharedSpark;
import io.runlake.tracking.Experiment;
import io.runlake.tracking.Run;
import io.runlake.tracking.RunStatus;
import io.runlake.tracking.ViewType;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * The plugin as users switch it on: {@code spark-submit} (the one shipped with PySpark) runs jobs that
 * contain no runlake code, with runlake's shaded jar and {@code --conf} settings only; then the store
 * they wrote is read back from this JVM.
 */
class AutologIT {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static final String EXPERIMENT = "autolog-it";

  @Test
  void aJavaJobIsTrackedWithMllibRunsTunerChildrenModelsAndDeltaLineage() throws Exception {
    Path dir = SharedSpark.newDirectory("autolog-it");
    Result result = submit(dir, List.of("--conf", "spark.runlake.autolog.registeredModelName=autolog-churn",
        "--conf", "spark.hadoop.fs.s3a.secret.key=do-not-log-me",
        "--class", AutologJob.class.getName(), System.getProperty("runlake.tests.jar"), dir.toString()));
    assertThat(result.exitCode).as(result.output).isZero();
    assertThat(result.output).contains("AUC ");

    try (DeltaTrackingStore store = open(dir)) {
      List<Run> runs = runs(store);
      Run app = named(runs, "autolog-job");
      assertThat(app.info().status()).isEqualTo(RunStatus.FINISHED);
      assertThat(app.data().params())
          .containsEntry("spark.app.name", "autolog-job")
          .containsKeys("spark.app.id", "spark.version", "spark.master")
          .doesNotContainKey("spark.hadoop.fs.s3a.secret.key")
          .doesNotContainValue("do-not-log-me");
      assertThat(app.data().metric("spark.jobs").orElseThrow().value()).isGreaterThan(5);
      assertThat(app.data().metric("spark.bytes_written").orElseThrow().value()).isPositive();

      // The Pipeline fit: nested under the application's run, params flattened by stage class.
      Run pipeline = runs.stream()
          .filter(r -> r.info().runName().equals("Pipeline") && app.info().runId().equals(parent(r)))
          .findFirst()
          .orElseThrow();
      assertThat(pipeline.info().status()).isEqualTo(RunStatus.FINISHED);
      assertThat(pipeline.data().params())
          .containsEntry("LogisticRegression.regParam", "0.01")
          .containsEntry("LogisticRegression.maxIter", "10")
          .containsEntry("VectorAssembler.outputCol", "features");
      assertThat(pipeline.data().tags()).containsEntry("runlake.estimator_class", "org.apache.spark.ml.Pipeline");
      assertThat(pipeline.data().metric("areaUnderROC").orElseThrow().value()).isBetween(0.5, 1.0);
      assertThat(pipeline.inputs()).anySatisfy(input -> {
        assertThat(input.context()).isEqualTo("training");
        assertThat(input.schema()).contains("x1").contains("label");
      });
      Path pipelineArtifacts = Paths.get(URI.create(pipeline.info().artifactUri()));
      assertThat(find(pipelineArtifacts, "MLmodel")).isPresent();
      assertThat(find(pipelineArtifacts, "input_example.json")).isPresent();
      assertThat(Files.readString(find(pipelineArtifacts, "MLmodel").orElseThrow())).contains("signature:");

      // A bare estimator fit.
      Run bare = named(runs, "LogisticRegression");
      assertThat(bare.data().params()).containsEntry("maxIter", "5");

      // The CrossValidator: one child per param map, the best params and model on the parent.
      Run cv = named(runs, "CrossValidator");
      List<Run> children = runs.stream().filter(r -> cv.info().runId().equals(parent(r))).toList();
      assertThat(children).hasSize(2).allSatisfy(child -> {
        assertThat(child.data().metric("avg_areaUnderROC")).isPresent();
        assertThat(child.data().metric("std_areaUnderROC")).isPresent();
        assertThat(child.data().params()).containsKey("LogisticRegression.regParam");
      });
      assertThat(children).extracting(c -> c.data().params().get("LogisticRegression.regParam"))
          .containsExactlyInAnyOrder("0.01", "1.0");
      assertThat(cv.data().params()).containsKey("best_regParam");
      assertThat(cv.data().metric("best_areaUnderROC")).isPresent();
      Path cvArtifacts = Paths.get(URI.create(cv.info().artifactUri()));
      assertThat(cvArtifacts.resolve("search_results.csv")).content().startsWith("index,LogisticRegression.regParam,");
      assertThat(find(cvArtifacts, "MLmodel")).isPresent();

      List<ModelVersion> versions = store.registry()
          .searchModelVersions("name = 'autolog-churn'", 100, List.of(), null).items();
      assertThat(versions).extracting(ModelVersion::runId).contains(pipeline.info().runId(), cv.info().runId());

      // Lineage: the customers table was read at version 1 (two writes: 0 and 1); predictions written at 0.
      List<Row> lineage = SharedSpark.session()
          .sql("SELECT direction, path, format, version FROM " + store.database() + ".lineage WHERE run_id = '"
              + app.info().runId() + "'")
          .collectAsList();
      assertThat(lineage).anySatisfy(row -> {
        assertThat(row.getString(0)).isEqualTo("read");
        assertThat(row.getString(1)).endsWith("/customers");
        assertThat(row.getString(2)).isEqualTo("delta");
        assertThat(row.getLong(3)).isEqualTo(1L);
      });
      assertThat(lineage).anySatisfy(row -> {
        assertThat(row.getString(0)).isEqualTo("write");
        assertThat(row.getString(1)).endsWith("/predictions");
        assertThat(row.getLong(3)).isEqualTo(0L);
      });
      assertThat(app.data().tags().get("sparkDatasourceInfo")).contains("customers").contains("version=1");
      assertThat(app.inputs()).anySatisfy(input -> assertThat(input.source()).contains("customers"));
    }
  }

  @Test
  void aJobThatThrowsLeavesAFailedRun() throws Exception {
    Path dir = SharedSpark.newDirectory("autolog-it-fail");
    Result result = submit(dir, List.of(
        "--class", AutologJob.class.getName(), System.getProperty("runlake.tests.jar"), dir.toString(), "fail"));
    assertThat(result.exitCode).as(result.output).isNotZero();
    try (DeltaTrackingStore store = open(dir)) {
      Run app = named(runs(store), "autolog-job");
      assertThat(app.info().status()).isEqualTo(RunStatus.FAILED);
      assertThat(app.data().tags().get("runlake.error")).contains("the job failed on purpose");
    }
  }

  @Test
  void aJobKilledBySignalLeavesAKilledRun() throws Exception {
    Path dir = SharedSpark.newDirectory("autolog-it-kill");
    Process process = start(dir, List.of(
        "--class", AutologJob.class.getName(), System.getProperty("runlake.tests.jar"), dir.toString(), "hang"));
    StringBuilder output = new StringBuilder();
    Thread reader = pump(process, output);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
    while (!contains(output, "READY") && process.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertThat(contains(output, "READY")).as(output.toString()).isTrue();
    process.destroy(); // SIGTERM: spark-submit execs the JVM, so the signal reaches it
    assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
    reader.join();
    try (DeltaTrackingStore store = open(dir)) {
      Run app = named(runs(store), "autolog-job");
      assertThat(app.info().status()).as(output.toString()).isEqualTo(RunStatus.KILLED);
    }
  }

  @Test
  void pySparkFitsAreLoggedAndItsPythonDrivenPipelinesAndTunersAreOneRunEach() throws Exception {
    Path dir = SharedSpark.newDirectory("autolog-it-py");
    Result result = submit(dir, List.of(script().toString(), dir.toString()));
    assertThat(result.exitCode).as(result.output).isZero();
    try (DeltaTrackingStore store = open(dir)) {
      List<Run> runs = runs(store);
      // The app, the bare fit, one run per Python-driven fit and the tuners' children: the stages',
      // folds' and classes' fits, each a JVM fit called from Python, are not runs of their own.
      assertThat(runs).extracting(r -> r.info().runName()).containsExactlyInAnyOrder(
          "autolog-pyspark", "LogisticRegression", "Pipeline", "CrossValidator", "CrossValidator-0", "CrossValidator-1",
          "TrainValidationSplit", "TrainValidationSplit-0", "TrainValidationSplit-1", "OneVsRest");
      Run app = named(runs, "autolog-pyspark");
      Run fit = named(runs, "LogisticRegression");
      assertThat(fit.data().params()).containsEntry("regParam", "0.25").containsEntry("maxIter", "5");
      assertThat(parent(fit)).isEqualTo(app.info().runId());
      assertThat(fit.info().status()).isEqualTo(RunStatus.FINISHED);

      Run pipeline = named(runs, "Pipeline");
      assertThat(parent(pipeline)).isEqualTo(app.info().runId());
      assertThat(pipeline.info().status()).isEqualTo(RunStatus.FINISHED);
      assertThat(pipeline.data().params())
          .containsEntry("LogisticRegression.regParam", "0.5")
          .containsEntry("LogisticRegression.maxIter", "3")
          .containsEntry("StandardScaler.outputCol", "features")
          .containsEntry("VectorAssembler.outputCol", "raw");
      assertThat(pipeline.data().metric("areaUnderROC").orElseThrow().value()).isBetween(0.5, 1.0);
      Path pipelineArtifacts = Paths.get(URI.create(pipeline.info().artifactUri()));
      assertThat(Files.readString(find(pipelineArtifacts, "MLmodel").orElseThrow())).contains("signature:");

      Run cv = named(runs, "CrossValidator");
      List<Run> children = runs.stream().filter(r -> cv.info().runId().equals(parent(r))).toList();
      assertThat(children).hasSize(2).allSatisfy(child -> {
        assertThat(child.data().metric("avg_areaUnderROC")).isPresent();
        assertThat(child.data().metric("std_areaUnderROC")).isPresent();
      });
      assertThat(children).extracting(c -> c.data().params().get("LogisticRegression.regParam"))
          .containsExactlyInAnyOrder("0.01", "0.3");
      assertThat(cv.data().params()).containsKey("best_regParam");
      assertThat(cv.data().metric("best_areaUnderROC")).isPresent();
      Path cvArtifacts = Paths.get(URI.create(cv.info().artifactUri()));
      assertThat(cvArtifacts.resolve("search_results.csv")).content().startsWith("index,LogisticRegression.regParam,");
      assertThat(find(cvArtifacts, "MLmodel")).isPresent();

      Run tvs = named(runs, "TrainValidationSplit");
      assertThat(runs.stream().filter(r -> tvs.info().runId().equals(parent(r))))
          .extracting(c -> c.data().params().get("regParam") + " " + c.data().metric("areaUnderROC").isPresent())
          .containsExactlyInAnyOrder("0.1 true", "1.0 true");
      assertThat(tvs.data().params()).containsKey("best_regParam");

      Run ovr = named(runs, "OneVsRest");
      assertThat(ovr.data().params()).containsEntry("LogisticRegression.maxIter", "2");
      assertThat(find(Paths.get(URI.create(ovr.info().artifactUri())), "MLmodel")).isPresent();
    }
  }

  @Test
  void errorsInsideAutologgingNeverFailTheJob() throws Exception {
    Path dir = SharedSpark.newDirectory("autolog-it-inject");
    Result result = submit(dir, List.of(
        "--conf", "spark.runlake.autolog.test.injectFailure=true", script().toString(), dir.toString()));
    assertThat(result.exitCode).as(result.output).isZero();
    assertThat(result.output).contains("done").contains("runlake autologging failed");
  }

  // ---------------------------------------------------------------- helpers

  private record Result(int exitCode, String output) {}

  private static Result submit(Path dir, List<String> args) throws Exception {
    Process process = start(dir, args);
    StringBuilder output = new StringBuilder();
    Thread reader = pump(process, output);
    if (!process.waitFor(8, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("spark-submit did not finish in 8 minutes:\n" + output);
    }
    reader.join();
    return new Result(process.exitValue(), output.toString());
  }

  private static Process start(Path dir, List<String> args) throws IOException {
    String python = System.getProperty("runlake.python");
    Path sparkHome = Paths.get(python).getParent().getParent()
        .resolve("lib/python3.11/site-packages/pyspark");
    List<String> command = new ArrayList<>(List.of(
        sparkHome.resolve("bin/spark-submit").toString(),
        "--master", "local[2]",
        "--driver-memory", "1g",
        "--jars", System.getProperty("runlake.spark.jar"),
        "--conf", "spark.plugins=io.runlake.plugin.RunlakePlugin",
        "--conf", "spark.runlake.store=" + dir.resolve("store"),
        "--conf", "spark.runlake.experiment=" + EXPERIMENT,
        "--conf", "spark.ui.enabled=false",
        "--conf", "spark.sql.shuffle.partitions=2",
        "--conf", "spark.driver.extraJavaOptions=-Dderby.system.home=" + dir));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).directory(dir.toFile());
    Map<String, String> env = builder.environment();
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("PYSPARK_PYTHON", python);
    env.put("PYSPARK_DRIVER_PYTHON", python);
    env.remove("SPARK_CONF_DIR");
    return builder.start();
  }

  private static Thread pump(Process process, StringBuilder output) {
    Thread reader = new Thread(() -> {
      try {
        byte[] buffer = new byte[8192];
        int n;
        while ((n = process.getInputStream().read(buffer)) > 0) {
          synchronized (output) {
            output.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
          }
        }
      } catch (IOException e) {
        // The process ended.
      }
    });
    reader.setDaemon(true);
    reader.start();
    return reader;
  }

  private static boolean contains(StringBuilder output, String text) {
    synchronized (output) {
      return output.indexOf(text) >= 0;
    }
  }

  private static Path script() throws Exception {
    return Paths.get(AutologIT.class.getResource("/it/autolog_job.py").toURI());
  }

  private static DeltaTrackingStore open(Path dir) {
    return DeltaStores.open(
        SharedSpark.session(),
        DeltaStoreOptions.builder(dir.resolve("store").toString())
            .database("autolog_it_" + DATABASES.incrementAndGet())
            .shutdownHook(false)
            .build());
  }

  private static List<Run> runs(DeltaTrackingStore store) {
    Experiment e = store.findExperimentByName(EXPERIMENT).orElseThrow();
    return store.searchRuns(List.of(e.experimentId()), null, ViewType.ALL, 1000, null, null).items();
  }

  private static Run named(List<Run> runs, String name) {
    return runs.stream()
        .filter(r -> r.info().runName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no run named " + name + " among "
            + runs.stream().map(r -> r.info().runName()).toList()));
  }

  private static String parent(Run run) {
    return run.data().tags().get("mlflow.parentRunId");
  }

  private static Optional<Path> find(Path root, String fileName) throws IOException {
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(p -> p.getFileName().toString().equals(fileName)).findFirst();
    }
  }
}
