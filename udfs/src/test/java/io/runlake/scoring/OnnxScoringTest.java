package io.runlake.scoring;

import static io.runlake.testing.Errors.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runlake.Runlake;
import io.runlake.Tracking;
import io.runlake.delta.DeltaStores;
import io.runlake.errors.ErrorCode;
import io.runlake.models.spark.MlflowInteropTest;
import io.runlake.testing.SharedSpark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * ONNX models exported from scikit-learn and saved by MLflow score inside Spark executors, in
 * columnar batches, with the predictions of the reference runtime (ONNX Runtime for Python).
 */
class OnnxScoringTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void onnxModelsScoreLikeTheReferenceRuntime() throws Exception {
    SparkSession spark = SharedSpark.session();
    Path work = SharedSpark.newDirectory("onnx");
    // More rows than one batch, over several partitions.
    Dataset<Row> data =
        spark.range(0, 10_000, 1, 3)
            .selectExpr("id", "rand(1) AS x1", "rand(2) * 10 AS x2", "rand(3) - 0.5 AS x3", "cast(rand(4) * 100 AS int) AS x4");
    String input = work.resolve("input.parquet").toString();
    data.write().parquet(input);
    Path output = work.resolve("reference.json");
    MlflowInteropTest.python("export_onnx_model.py", work.toString(), input, output.toString());
    JsonNode reference = JSON.readTree(output.toFile());
    Dataset<Row> rows = spark.read().parquet(input);

    List<Double> regressor = predictions(Scoring.score(rows, work.resolve("regressor").toString()));
    List<Double> expected = doubles(reference.get("regressor"));
    assertThat(regressor).hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      assertThat(regressor.get(i)).as("row " + i).isCloseTo(expected.get(i), within(1e-4 * Math.max(1, Math.abs(expected.get(i)))));
    }
    assertThat(predictions(Scoring.score(rows, work.resolve("classifier").toString())))
        .containsExactlyElementsOf(doubles(reference.get("classifier")));

    // Registered, by a models:/ URI, and through the SQL table function.
    spark.conf().set(DeltaStores.ROOT_CONF, work.resolve("store").toString());
    spark.conf().set(DeltaStores.DATABASE_CONF, "onnx_store");
    try (Tracking tracking = Runlake.tracking(spark)) {
      tracking.registry().createRegisteredModel("onnx-classifier", null, null);
      tracking.registry().createModelVersion("onnx-classifier", "file:" + work.resolve("classifier"), null, null, null, null);
      rows.createOrReplaceTempView("onnx_rows");
      List<Double> viaSql = spark.sql("SELECT id, prediction FROM runlake_score('models:/onnx-classifier/1', 'onnx_rows')")
          .orderBy("id").collectAsList().stream().map(r -> r.getDouble(1)).toList();
      assertThat(viaSql).containsExactlyElementsOf(doubles(reference.get("classifier")));
      assertError(ErrorCode.INVALID_PARAMETER_VALUE,
              () -> spark.sql("SELECT runlake_predict('models:/onnx-classifier/1', x1, x2, x3, x4) FROM onnx_rows"))
          .hasMessageContaining("is an ONNX model. Score it with runlake_score");
      assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> Scoring.score(rows.drop("x3"), "models:/onnx-classifier/1"))
          .hasMessageStartingWith("The input has no column 'x3', which the ONNX model");
    } finally {
      spark.conf().unset(DeltaStores.ROOT_CONF);
      spark.conf().unset(DeltaStores.DATABASE_CONF);
    }
  }

  private static List<Double> predictions(Dataset<Row> scored) {
    return scored.orderBy("id").select("prediction").collectAsList().stream().map(r -> r.getDouble(0)).toList();
  }

  private static List<Double> doubles(JsonNode array) {
    List<Double> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asDouble()));
    return out;
  }
}
