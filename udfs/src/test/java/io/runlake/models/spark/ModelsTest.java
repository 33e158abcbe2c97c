package io.runlake.models.spark;

import static io.runlake.testing.Errors.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.runlake.Runlake;
import io.runlake.Tracking;
import io.runlake.ActiveRun;
import io.runlake.artifacts.ArtifactRepositories;
import io.runlake.artifacts.ArtifactRepository;
import io.runlake.artifacts.FileInfo;
import io.runlake.errors.ErrorCode;
import io.runlake.models.MLmodel;
import io.runlake.models.ModelSignature;
import io.runlake.registry.ModelRegistry;
import io.runlake.registry.ModelVersion;
import io.runlake.testing.SharedSpark;
import io.runlake.testing.TestStores;
import io.runlake.tracking.Page;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelsTest {
  private SparkSession spark;
  private Tracking tracking;
  private Dataset<Row> data;
  private PipelineModel pipeline;
  private List<Double> expected;

  @BeforeAll
  void setUp() {
    spark = SharedSpark.session();
    tracking = Runlake.tracking(spark, TestStores.options(SharedSpark.newDirectory("models"), "models").build());
    tracking.setExperiment("models");
    data = TrainingData.frame();
    pipeline = TrainingData.pipeline(data);
    expected = TrainingData.predictions(pipeline.transform(data));
  }

  @AfterAll
  void tearDown() {
    tracking.close();
  }

  @Test
  void logsAnMlflowModelDirectory() {
    LoggedModel logged;
    try (ActiveRun run = tracking.startRun("log")) {
      logged = Models.log(run, "model", pipeline, data.select("x1", "x2"));
      assertThat(logged.modelUri()).isEqualTo("runs:/" + run.id() + "/model");
      assertThat(logged.location()).isEqualTo(run.info().artifactUri() + "/model");
    }
    ArtifactRepository files = ArtifactRepositories.at(spark, logged.location());
    Page<FileInfo> listing = files.list("", 100, null);
    assertThat(listing.items()).extracting(FileInfo::path)
        .contains("MLmodel", "sparkml", "input_example.json", "serving_input_example.json",
            "requirements.txt", "python_env.yaml", "conda.yaml", "jvm_environment.yaml");
    assertThat(listing.items()).filteredOn(FileInfo::isDir).extracting(FileInfo::path).containsExactly("sparkml");
    assertThat(listing.items()).filteredOn(f -> f.path().equals("MLmodel")).first().extracting(FileInfo::fileSize).isNotNull();

    MLmodel m = MLmodel.parse(files.readText("MLmodel"));
    assertThat(m.runId()).contains(logged.runId());
    assertThat(m.artifactPath()).contains("model");
    assertThat(m.modelUuid()).get().asString().matches("[0-9a-f]{32}");
    assertThat(m.utcTimeCreated()).get().asString().matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6}");
    assertThat(m.flavor("spark").orElseThrow())
        .containsEntry("model_data", "sparkml")
        .containsEntry("pyspark_version", spark.version())
        .containsEntry("model_class", "pyspark.ml.pipeline.PipelineModel");
    assertThat(m.flavor("python_function").orElseThrow()).containsEntry("loader_module", "mlflow.spark");
    ModelSignature signature = m.signature().orElseThrow();
    assertThat(signature.inputsJson())
        .isEqualTo("[{\"type\":\"double\",\"name\":\"x1\",\"required\":true},{\"type\":\"double\",\"name\":\"x2\",\"required\":true}]");
    assertThat(signature.outputsJson()).isEqualTo("[{\"type\":\"double\",\"name\":\"prediction\",\"required\":true}]");
    assertThat(files.readText("input_example.json")).startsWith("{\"columns\":[\"x1\",\"x2\"],\"data\":[[");
    assertThat(files.readText("requirements.txt")).contains("pyspark==" + spark.version());
    assertThat(files.readText("jvm_environment.yaml"))
        .contains("spark_version: '" + spark.version() + "'")
        .contains("- 'org.apache.spark:spark-mllib_2.13:" + spark.version() + "'")
        .contains("- 'io.delta:delta-spark_2.13:4.4.0'");
    assertThat(tracking.client().getRun(logged.runId()).data().tags().get("mlflow.log-model.history"))
        .contains("\"artifact_path\":\"model\"");
  }

  @Test
  void loadsByEveryUriFormAndPredictsTheSame() {
    ModelRegistry registry = tracking.registry();
    LoggedModel first;
    LoggedModel second;
    try (ActiveRun run = tracking.startRun("register")) {
      first = Models.logger(spark, tracking.client()).run(run.id()).artifactPath("m1").input(data.select("x1", "x2")).registerAs("uri-forms").log(pipeline);
      second = Models.logger(spark, tracking.client()).run(run.id()).artifactPath("m2").input(data.select("x1", "x2")).registerAs("uri-forms").log(pipeline);
    }
    assertThat(first.registeredVersion().orElseThrow().version()).isEqualTo(1);
    assertThat(second.registeredVersion().orElseThrow().version()).isEqualTo(2);
    assertThat(first.registeredVersion().get().source()).isEqualTo(first.location());
    registry.transitionModelVersionStage("uri-forms", 1, "staging", false);
    registry.setRegisteredModelAlias("uri-forms", "champion", 1);

    Map<String, String> expectedLocation = Map.of(
        first.modelUri(), first.location(),
        "models:/uri-forms/1", first.location(),
        "models:/uri-forms/2", second.location(),
        "models:/uri-forms/Staging", first.location(),
        "models:/uri-forms/staging", first.location(),
        "models:/uri-forms/latest", second.location(),
        "models:/uri-forms@champion", first.location(),
        first.location(), first.location());
    for (Map.Entry<String, String> e : expectedLocation.entrySet()) {
      LoadedModel loaded = Models.load(spark, e.getKey(), tracking.client());
      assertThat(loaded.location()).as(e.getKey()).isEqualTo(e.getValue());
      assertThat(TrainingData.predictions(loaded.transform(data))).as(e.getKey()).isEqualTo(expected);
    }
    assertThat(Models.load(spark, "models:/uri-forms/1", tracking.client()).version().orElseThrow().version()).isEqualTo(1);
    assertThat(Models.load(spark, "models:/uri-forms/1", tracking.client()).model())
        .as("loaded once, then cached").isSameAs(Models.load(spark, "models:/uri-forms@champion", tracking.client()).model());

    registry.setRegisteredModelAlias("uri-forms", "champion", 2);
    assertThat(Models.load(spark, "models:/uri-forms@champion", tracking.client()).location())
        .as("an alias move is seen by the next load").isEqualTo(second.location());

    assertThat(registry.versionsOfRun(first.runId())).extracting(ModelVersion::version).containsExactly(1L, 2L);
  }

  @Test
  void reportsBadUrisClearly() {
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> Models.load(spark, "models:/x/Prod", tracking.client()))
        .hasMessage("Invalid model URI 'models:/x/Prod': 'Prod' is neither a version number, 'latest', nor a stage (None, Staging, Production, Archived).");
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> Models.load(spark, "runs:/only-run-id", tracking.client()))
        .hasMessageContaining("a run model URI is runs:/<run_id>/<path>");
    assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, () -> Models.load(spark, "models:/never-registered/1", tracking.client()));
    assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, () -> Models.load(spark, SharedSpark.newDirectory("empty").toString(), tracking.client()))
        .hasMessageContaining("No MLmodel file at");
  }

  @Test
  void wrapsABareModelInAPipeline() throws Exception {
    Dataset<Row> features = new VectorAssembler().setInputCols(new String[] {"x1", "x2"}).setOutputCol("features").transform(data);
    LogisticRegressionModel lr = new LogisticRegression().setMaxIter(10).fit(features);
    LoggedModel logged;
    try (ActiveRun run = tracking.startRun("bare")) {
      logged = Models.log(run, "lr", lr, features.select("features"));
    }
    MLmodel m = logged.mlmodel();
    assertThat(m.flavor("spark").orElseThrow()).containsEntry("jvm_model_class", LogisticRegressionModel.class.getName());
    assertThat(m.signature().orElseThrow().inputsJson()).contains("\"type\":\"sparkml_vector\"");
    LoadedModel loaded = Models.load(spark, logged.location(), null);
    assertThat(loaded.model().stages()).hasSize(1);
    assertThat(TrainingData.predictions(loaded.transform(features))).isEqualTo(TrainingData.predictions(lr.transform(features)));
    Path local = ArtifactRepositories.at(spark, logged.location()).download("", SharedSpark.newDirectory("download"));
    assertThat(Files.exists(local.resolve("MLmodel"))).isTrue();
    assertThat(Files.isDirectory(local.resolve("sparkml/stages"))).isTrue();
  }
}
