package io.runlake.models.spark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runlake.ActiveRun;
import io.runlake.Runlake;
import io.runlake.Tracking;
import io.runlake.testing.SharedSpark;
import io.runlake.testing.TestStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * Both directions of model interoperability, with the real mlflow and pyspark packages of the project
 * virtualenv: MLflow's loaders read what runlake logs, and runlake loads what MLflow saves, with the
 * same predictions.
 */
public class MlflowInteropTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void mlflowLoadsARunlakeModelAndPredictsTheSame() throws Exception {
    Path work = SharedSpark.newDirectory("interop-out");
    Dataset<Row> data = TrainingData.frame();
    PipelineModel pipeline = TrainingData.pipeline(data);
    List<Double> expected = TrainingData.predictions(pipeline.transform(data));
    String input = work.resolve("input.parquet").toString();
    data.select("id", "x1", "x2").write().parquet(input);

    LoggedModel logged;
    try (Tracking tracking = Runlake.tracking(SharedSpark.session(), TestStores.options(work.resolve("store"), "interop_out").build())) {
      try (ActiveRun run = tracking.startRun("for-mlflow")) {
        logged = Models.log(run, "model", pipeline, data.select("x1", "x2"));
      }
    }
    Path output = work.resolve("out.json");
    python("load_runlake_model.py", Path.of(java.net.URI.create(logged.location())).toString(), input, output.toString());
    JsonNode result = JSON.readTree(output.toFile());
    assertThat(doubles(result.get("spark"))).isEqualTo(expected);
    assertThat(doubles(result.get("pyfunc"))).isEqualTo(expected);
    assertThat(result.get("signature_inputs").toString()).isEqualTo("[\"x1\",\"x2\"]");
    assertThat(result.get("run_id").asText()).isEqualTo(logged.runId());
  }

  @Test
  void runlakeLoadsModelsMlflowSavedAndLoggedAndPredictsTheSame() throws Exception {
    Path work = SharedSpark.newDirectory("interop-in");
    Dataset<Row> data = TrainingData.frame();
    String input = work.resolve("input.parquet").toString();
    data.write().parquet(input);
    Path output = work.resolve("out.json");
    python("save_mlflow_model.py", work.toString(), input, output.toString());
    JsonNode result = JSON.readTree(output.toFile());
    List<Double> expected = doubles(result.get("predictions"));

    for (String dir : List.of(result.get("saved").asText(), result.get("logged").asText())) {
      LoadedModel loaded = Models.load(SharedSpark.session(), dir, null);
      assertThat(loaded.mlmodel().flavor("spark")).isPresent();
      assertThat(loaded.mlmodel().signature().orElseThrow().inputSchema().fieldNames()).containsExactly("x1", "x2");
      assertThat(TrainingData.predictions(loaded.transform(data))).as(dir).isEqualTo(expected);
    }
  }

  private static List<Double> doubles(JsonNode array) {
    List<Double> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asDouble()));
    return out;
  }

  public static void python(String script, String... args) throws IOException, InterruptedException {
    String python = System.getProperty("runlake.python");
    if (python == null || !Files.isExecutable(Path.of(python))) {
      throw new AssertionError(
          "The project virtualenv is missing (" + python + "): run dev/test, which creates it, or"
              + " source dev/venv.sh and call ensure_venv.");
    }
    List<String> command = new ArrayList<>(List.of(python, Path.of("src", "test", "python", script).toString()));
    command.addAll(List.of(args));
    Path log = Files.createTempFile(Path.of("target"), script, ".log");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(600, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(script + " did not finish in 10 minutes; see " + log);
    }
    if (p.exitValue() != 0) {
      throw new AssertionError(script + " failed (exit " + p.exitValue() + "):\n" + tail(log));
    }
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }
}
