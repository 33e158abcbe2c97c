package io.runlake.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.when;

import com.fasterxml.jackson.databind.JsonNode;
import io.runlake.ActiveRun;
import io.runlake.Runlake;
import io.runlake.Tracking;
import io.runlake.delta.DeltaStoreOptions;
import io.runlake.delta.DeltaStores;
import io.runlake.models.spark.LoggedModel;
import io.runlake.models.spark.Models;
import io.runlake.scoring.Scoring;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * P3: scoring 1M rows with a registered pipeline (assembler, scaler, logistic regression): the raw
 * {@code PipelineModel.transform} floor, runlake's plan and SQL paths, and MLflow's
 * {@code mlflow.pyfunc.spark_udf} on the same model and rows. Run it with {@code bench/run scoring}.
 */
public final class ScoringBench {

  public static void main(String[] args) throws Exception {
    int rows = 1_000_000;
    String python = ".venv/bin/python";
    for (String a : args) {
      if (a.startsWith("--rows=")) {
        rows = Integer.parseInt(a.substring(7));
      } else if (a.startsWith("--python=")) {
        python = a.substring(9);
      }
    }
    Path work = Files.createTempDirectory("runlake-scoring-bench-");
    SparkSession spark =
        DeltaStores.configure(SparkSession.builder().master("local[*]").appName("runlake-scoring-bench"))
            .config("spark.sql.extensions", "io.runlake.scoring.RunlakeExtensions,io.delta.sql.DeltaSparkSessionExtension")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.warehouse.dir", work.resolve("warehouse").toString())
            .getOrCreate();
    spark.conf().set(DeltaStores.ROOT_CONF, work.resolve("store").toString());
    spark.conf().set(DeltaStores.DATABASE_CONF, "bench_scoring");

    Dataset<Row> data = labeled(spark, rows);
    String delta = work.resolve("input-delta").toString();
    String parquet = work.resolve("input-parquet").toString();
    data.drop("label").write().format("delta").save(delta);
    data.drop("label").write().parquet(parquet);
    PipelineModel model =
        new Pipeline()
            .setStages(new PipelineStage[] {
              new VectorAssembler().setInputCols(new String[] {"x1", "x2", "x3", "x4"}).setOutputCol("raw"),
              new StandardScaler().setInputCol("raw").setOutputCol("features"),
              new LogisticRegression().setMaxIter(20)
            })
            .fit(data.limit(20_000));
    Tracking tracking = Runlake.tracking(spark);
    tracking.setExperiment("p3");
    LoggedModel logged;
    try (ActiveRun run = tracking.startRun("p3-model")) {
      logged = Models.logger(spark, tracking.client()).run(run.id()).input(data.select("x1", "x2", "x3", "x4").limit(100)).registerAs("p3-model").log(model);
    }
    spark.read().format("delta").load(delta).createOrReplaceTempView("p3_input");
    Dataset<Row> input = spark.table("p3_input");
    String uri = "models:/p3-model/1";

    System.out.printf("%nP3  scoring %,d rows with a registered pipeline (assembler + scaler + logistic regression), written to Spark's noop sink%n", rows);
    double raw = time(() -> model.transform(input).select("id", "prediction"));
    double plan = time(() -> Scoring.score(input, uri).select("id", "prediction"));
    double column = time(() -> input.select(col("id"), Scoring.predict(uri, col("x1"), col("x2"), col("x3"), col("x4")).as("prediction")));
    double sqlScalar = time(() -> spark.sql("SELECT id, runlake_predict('" + uri + "', x1, x2, x3, x4) AS prediction FROM p3_input"));
    double sqlTable = time(() -> spark.sql("SELECT id, prediction FROM runlake_score('" + uri + "', 'p3_input')"));
    JsonNode mlflow = mlflow(python, logged.location().replaceFirst("^file:", ""), parquet);
    double spark_udf = mlflow.get("seconds").asDouble();

    Table t = new Table("path", "seconds", "rows/s", "vs raw transform", "vs MLflow spark_udf");
    t.row("raw PipelineModel.transform (the floor)", Table.f2(raw), Table.rate(rows, raw), "1.00x", ratio(spark_udf, raw));
    t.row("runlake Scoring.score (plan)", Table.f2(plan), Table.rate(rows, plan), ratio(plan, raw) + " time", ratio(spark_udf, plan));
    t.row("runlake Scoring.predict (Column)", Table.f2(column), Table.rate(rows, column), ratio(column, raw) + " time", ratio(spark_udf, column));
    t.row("runlake SQL runlake_predict", Table.f2(sqlScalar), Table.rate(rows, sqlScalar), ratio(sqlScalar, raw) + " time", ratio(spark_udf, sqlScalar));
    t.row("runlake SQL runlake_score", Table.f2(sqlTable), Table.rate(rows, sqlTable), ratio(sqlTable, raw) + " time", ratio(spark_udf, sqlTable));
    t.row("MLflow 3.17.2 pyfunc.spark_udf", Table.f2(spark_udf), Table.rate(rows, spark_udf), ratio(spark_udf, raw) + " time", "1.0x");
    t.print();
    System.out.println("(median of 3 runs after a warm-up; ratios > 1 in the last column mean faster than spark_udf)");
    tracking.close();
    spark.stop();
  }

  /** The benchmarks' synthetic rows: {@code id}, features {@code x1..x4}, a binary {@code label}. */
  static Dataset<Row> labeled(SparkSession spark, long rows) {
    return spark.range(rows)
        .withColumn("x1", rand(1))
        .withColumn("x2", rand(2).multiply(10))
        .withColumn("x3", rand(3).minus(0.5))
        .withColumn("x4", rand(4).multiply(100))
        .withColumn("label", when(col("x1").plus(col("x3")).gt(0.5), 1.0).otherwise(0.0));
  }

  private static double time(Supplier<Dataset<Row>> query) {
    query.get().write().format("noop").mode("overwrite").save();
    double[] runs = new double[3];
    for (int i = 0; i < runs.length; i++) {
      long start = System.nanoTime();
      query.get().write().format("noop").mode("overwrite").save();
      runs[i] = (System.nanoTime() - start) / 1e9;
    }
    Arrays.sort(runs);
    return runs[1];
  }

  private static JsonNode mlflow(String python, String model, String parquet) throws Exception {
    List<String> command = new ArrayList<>(List.of(python, "bench/mlflow_scoring.py", "--model", model, "--input", parquet));
    return MlflowSide.run(command);
  }

  private static String ratio(double a, double b) {
    return String.format(Locale.ROOT, "%.2fx", a / b);
  }
}
