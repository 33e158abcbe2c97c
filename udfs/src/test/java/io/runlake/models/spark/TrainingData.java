package io.runlake.models.spark;

import io.runlake.testing.SharedSpark;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/** A small, deterministic binary classification set and a pipeline trained on it. */
final class TrainingData {
  private TrainingData() {}

  static Dataset<Row> frame() {
    Random random = new Random(7);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      double x1 = random.nextGaussian();
      double x2 = random.nextGaussian();
      double label = x1 + 0.5 * x2 + 0.3 * random.nextGaussian() > 0 ? 1.0 : 0.0;
      rows.add(RowFactory.create((long) i, x1, x2, label));
    }
    StructType schema = new StructType().add("id", "long").add("x1", "double").add("x2", "double").add("label", "double");
    return SharedSpark.session().createDataFrame(rows, schema);
  }

  static PipelineModel pipeline(Dataset<Row> data) {
    return new Pipeline()
        .setStages(
            new PipelineStage[] {
              new VectorAssembler().setInputCols(new String[] {"x1", "x2"}).setOutputCol("raw"),
              new StandardScaler().setInputCol("raw").setOutputCol("features"),
              new LogisticRegression().setMaxIter(20)
            })
        .fit(data);
  }

  static List<Double> predictions(Dataset<Row> scored) {
    return scored.orderBy("id").select("prediction").collectAsList().stream().map(r -> r.getDouble(0)).toList();
  }
}
