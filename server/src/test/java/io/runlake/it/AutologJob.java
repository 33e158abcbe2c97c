package io.runlake.it;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A plain Spark ML job without a line of runlake code: it writes a Delta table (two versions), reads
 * it, fits a Pipeline, a bare estimator and a CrossValidator, evaluates, and writes predictions. Run
 * by {@link AutologIT} through spark-submit with only runlake's plugin configured.
 *
 * <p>Arguments: {@code <data dir> [fail|hang]}; with {@code fail} the job throws after its first
 * query, with {@code hang} it prints {@code READY} after its first query and waits to be killed.
 */
public final class AutologJob {
  public static void main(String[] args) {
    String dir = args[0];
    SparkSession spark = SparkSession.builder().appName("autolog-job").getOrCreate();
    String table = dir + "/customers";
    customers(spark, 0, 300).write().format("delta").mode("overwrite").save(table);
    customers(spark, 300, 400).write().format("delta").mode("append").save(table);
    Dataset<Row> data = spark.read().format("delta").load(table);
    if (args.length > 1 && args[1].equals("fail")) {
      data.count();
      throw new IllegalStateException("the job failed on purpose");
    }
    if (args.length > 1 && args[1].equals("hang")) {
      data.count();
      System.out.println("READY");
      System.out.flush();
      try {
        Thread.sleep(600_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return;
    }

    VectorAssembler assembler = new VectorAssembler().setInputCols(new String[] {"x1", "x2"}).setOutputCol("features");
    LogisticRegression lr = new LogisticRegression().setMaxIter(10).setRegParam(0.01);
    PipelineModel model = new Pipeline().setStages(new PipelineStage[] {assembler, lr}).fit(data);
    BinaryClassificationEvaluator evaluator = new BinaryClassificationEvaluator();
    double auc = evaluator.evaluate(model.transform(data).select("label", "rawPrediction"));
    System.out.println("AUC " + auc);

    new LogisticRegression().setMaxIter(5).fit(assembler.transform(data));

    ParamMap[] grid = new ParamGridBuilder().addGrid(lr.regParam(), new double[] {0.01, 1.0}).build();
    new CrossValidator()
        .setEstimator(new Pipeline().setStages(new PipelineStage[] {assembler, lr}))
        .setEstimatorParamMaps(grid)
        .setEvaluator(evaluator)
        .setNumFolds(2)
        .setSeed(7)
        .fit(data);

    model.transform(data).select("id", "prediction").write().format("delta").save(dir + "/predictions");
    spark.stop();
  }

  static Dataset<Row> customers(SparkSession spark, long from, long to) {
    return spark.range(from, to)
        .withColumn("x1", rand(from))
        .withColumn("x2", rand(from + 1))
        .withColumn("label", when(col("x1").plus(rand(from + 2).multiply(0.3)).gt(0.6), 1.0).otherwise(0.0));
  }
}
