package io.runlake.cli;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.randn;
import static org.apache.spark.sql.functions.when;

import io.runlake.ActiveRun;
import io.runlake.Tracking;
import io.runlake.delta.DeltaStores;
import io.runlake.models.spark.LoadedModel;
import io.runlake.models.spark.LoggedModel;
import io.runlake.models.spark.Models;
import io.runlake.plugin.Autolog;
import io.runlake.plugin.AutologConfig;
import io.runlake.registry.ModelVersion;
import io.runlake.tracking.Run;
import io.runlake.tracking.TrackingStore;
import io.runlake.tracking.ViewType;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The whole loop on the embedded default: train a small sweep of Spark ML pipelines (a parent run with
 * one nested run per setting: params, the loss of every iteration, AUC, the model), find the best run
 * by search and by SQL, register its model, point the alias {@code champion} at it, and score new
 * rows with {@code models:/quickstart-churn@champion}; then fit a CrossValidator with runlake's Spark
 * plugin autologging it (child runs per setting, best params, model, the Delta version it read).
 */
@Command(
    name = "quickstart",
    description = "Train, track, search, register, score and autolog: the whole loop on a local store.",
    mixinStandardHelpOptions = true)
final class QuickstartCommand implements Callable<Integer> {
  static final String MODEL_NAME = "quickstart-churn";
  private static final double[] REG_PARAMS = {0.3, 0.1, 0.03, 0.01};

  @Mixin StoreOption store;

  @Option(names = "--runs", description = "Settings in the sweep (default ${DEFAULT-VALUE}).")
  int runs = 4;

  @Option(names = "--rows", description = "Rows of synthetic training data (default ${DEFAULT-VALUE}).")
  int rows = 5000;

  @Override
  public Integer call() {
    PrintStream out = System.out;
    SparkSession spark = StoreOption.spark();
    try (Tracking tracking = store.open()) {
      TrackingStore client = tracking.client();
      out.println(
          "runlake quickstart: store " + DeltaStores.qualify(store.root()) + " (Spark "
              + spark.version() + ")");
      String experimentId = tracking.setExperiment("quickstart");
      out.println("1. Experiment 'quickstart' (id " + experimentId + ")");

      Dataset<Row>[] split = customers(spark, rows, 42).randomSplit(new double[] {0.8, 0.2}, 7);
      Dataset<Row> train = split[0].cache();
      Dataset<Row> test = split[1].cache();
      String sweepId;
      try (ActiveRun sweep = tracking.startRun("sweep")) {
        sweepId = sweep.id();
        sweep.logParam("search", "grid").setTag("purpose", "quickstart");
        double best = 0;
        for (int i = 0; i < runs; i++) {
          double reg = REG_PARAMS[i % REG_PARAMS.length] / Math.pow(10, i / REG_PARAMS.length);
          try (ActiveRun trial = tracking.newRun().name("reg=" + reg).nested().start()) {
            best = Math.max(best, train(trial, train, test, reg));
          }
        }
        sweep.logMetric("best_auc", best);
      }
      out.println(
          "2. Trained a sweep of " + runs + " logistic regressions (nested runs: params, loss per"
              + " iteration, AUC, model)");

      String filter = "tags.mlflow.parentRunId = '" + sweepId + "' AND metrics.auc > 0.5";
      List<Run> found =
          client
              .searchRuns(List.of(experimentId), filter, ViewType.ACTIVE_ONLY, 1000, List.of("metrics.auc DESC"), null)
              .items();
      out.println("3. searchRuns(filter: " + filter + ", order: metrics.auc DESC):");
      RunsCommand.print(found, out);

      Run bestRun = found.get(0);
      ModelVersion version =
          tracking.registry().createModelVersion(
              registered(tracking), "runs:/" + bestRun.info().runId() + "/model", bestRun.info().runId(),
              java.util.Map.of(), null, "best of the quickstart sweep");
      tracking.registry().setRegisteredModelAlias(MODEL_NAME, "champion", version.version());
      out.println(
          "4. Registered the best run's model as " + MODEL_NAME + " version " + version.version()
              + " and pointed the alias 'champion' at it");

      LoadedModel champion = Models.load(spark, "models:/" + MODEL_NAME + "@champion", client);
      customers(spark, 5, 2026).drop("churned").createOrReplaceTempView("new_customers");
      String scoring =
          "SELECT customer_id, round(tenure, 1) AS tenure, round(support_calls, 1) AS support_calls,"
              + " runlake_predict('models:/" + MODEL_NAME + "@champion', tenure, monthly_spend,"
              + " support_calls) AS churn FROM new_customers";
      out.println(
          "5. Scored new customers in SQL with models:/" + MODEL_NAME + "@champion (version "
              + champion.version().orElseThrow().version() + "), a Spark plan, not a UDF:");
      out.println("   " + scoring);
      TextTable.of(spark.sql(scoring), 5).print(out);

      client.sync();
      out.println("6. The sweep's trials, queried from the Spark view " + store.database + ".runs:");
      Dataset<Row> trials =
          spark
              .table(store.database + ".runs")
              .where(col("tags").getItem("mlflow.parentRunId").equalTo(sweepId))
              .selectExpr("run_name", "params['reg_param'] AS reg_param", "round(metrics['auc'], 4) AS auc")
              .orderBy(col("auc").desc());
      TextTable.of(trials, runs).print(out);
      String cvRunId = autologged(spark, tracking, client, out);
      out.println(
          "8. The tuning runs and the data they read, from the views " + store.database + ".runs and "
              + store.database + ".lineage:");
      client.sync();
      TextTable.of(
              spark.sql(
                  "SELECT run_name, params['LogisticRegression.regParam'] AS reg_param,"
                      + " round(metrics['avg_areaUnderROC'], 4) AS avg_auc, round(metrics['std_areaUnderROC'], 4)"
                      + " AS std_auc FROM " + store.database + ".runs WHERE tags['mlflow.parentRunId'] = '"
                      + cvRunId + "' ORDER BY avg_auc DESC"),
              10)
          .print(out);
      TextTable.of(
              spark.sql(
                  "SELECT direction, format, version, path FROM " + store.database + ".lineage WHERE run_id = '"
                      + cvRunId + "'"),
              10)
          .print(out);
      out.println("Next: runlake runs search -e quickstart -f \"metrics.auc > 0.8 AND params.reg_param != '0.3'\"");
      out.println("      runlake score --model models:/" + MODEL_NAME + "@champion --input <delta table> --output <delta table>");
      out.println("      runlake sql \"SELECT run_name, metrics FROM runlake.runs\"");
      out.println("      spark-submit --jars server/target/runlake-spark.jar --conf spark.plugins=io.runlake.plugin.RunlakePlugin <your job>");
    }
    return 0;
  }

  /**
   * Fits a CrossValidator with runlake's Spark plugin recording, as {@code --conf
   * spark.plugins=io.runlake.plugin.RunlakePlugin} would in any Spark job: the code below has no
   * logging calls. Returns the tuning's run id.
   */
  private String autologged(SparkSession spark, Tracking tracking, TrackingStore client, PrintStream out) {
    String customers = DeltaStores.qualify(store.root()) + "/datasets/customers";
    customers(spark, rows, 11).write().format("delta").mode("overwrite").save(customers);
    LogisticRegression lr = new LogisticRegression().setLabelCol("churned").setMaxIter(25);
    Pipeline pipeline = churnPipeline(lr);
    CrossValidator cv =
        new CrossValidator()
            .setEstimator(pipeline)
            .setEvaluator(new BinaryClassificationEvaluator().setLabelCol("churned"))
            .setEstimatorParamMaps(new ParamGridBuilder().addGrid(lr.regParam(), new double[] {0.1, 0.01}).build())
            .setNumFolds(2)
            .setSeed(7);
    AutologConfig config = AutologConfig.of(store.root(), store.database, "quickstart").withoutApplicationRun();
    try (Autolog.Session autolog = Autolog.start(spark, config)) {
      cv.fit(spark.read().format("delta").load(customers));
      autolog.flush();
    }
    Run run =
        client
            .searchRuns(
                List.of(tracking.experimentId()),
                "tags.runlake.estimator_class = '" + CrossValidator.class.getName() + "'",
                ViewType.ACTIVE_ONLY, 1, List.of("start_time DESC"), null)
            .items()
            .get(0);
    out.println(
        "7. Fitted a CrossValidator (2 settings x 2 folds) with runlake's Spark plugin autologging it, no"
            + " logging calls: run " + run.info().runId() + ", best_regParam="
            + run.data().params().get("best_regParam") + ", best model at runs:/" + run.info().runId()
            + "/model");
    return run.info().runId();
  }

  private static String registered(Tracking tracking) {
    try {
      tracking.registry().getRegisteredModel(MODEL_NAME);
    } catch (io.runlake.errors.RunlakeException e) {
      tracking.registry().createRegisteredModel(MODEL_NAME, java.util.Map.of("source", "quickstart"), "churn classifier");
    }
    return MODEL_NAME;
  }

  /** Assembles and scales the customer features, then {@code lr}. */
  private static Pipeline churnPipeline(LogisticRegression lr) {
    return new Pipeline()
        .setStages(
            new PipelineStage[] {
              new VectorAssembler()
                  .setInputCols(new String[] {"tenure", "monthly_spend", "support_calls"})
                  .setOutputCol("raw"),
              new StandardScaler().setInputCol("raw").setOutputCol("features"),
              lr
            });
  }

  /** Trains one setting, logs it to {@code run}, returns its test AUC. */
  private static double train(ActiveRun run, Dataset<Row> train, Dataset<Row> test, double reg) {
    LogisticRegression lr = new LogisticRegression().setLabelCol("churned").setRegParam(reg).setMaxIter(25);
    run.logParam("reg_param", reg).logParam("max_iter", 25).logParam("model", "logistic_regression");
    PipelineModel model = churnPipeline(lr).fit(train);
    double[] loss = ((LogisticRegressionModel) model.stages()[2]).summary().objectiveHistory();
    for (int step = 0; step < loss.length; step++) {
      run.logMetric("loss", loss[step], step);
    }
    double auc =
        new BinaryClassificationEvaluator().setLabelCol("churned").evaluate(model.transform(test));
    run.logMetric("auc", auc);
    LoggedModel logged = Models.log(run, "model", model, train.select("tenure", "monthly_spend", "support_calls"));
    run.setTag("model_uri", logged.modelUri());
    return auc;
  }

  /** Synthetic customers: churn grows with support calls and shrinks with tenure. */
  static Dataset<Row> customers(SparkSession spark, int n, long seed) {
    return spark
        .range(n)
        .withColumnRenamed("id", "customer_id")
        .withColumn("tenure", rand(seed).multiply(60))
        .withColumn("monthly_spend", rand(seed + 1).multiply(100).plus(10))
        .withColumn("support_calls", rand(seed + 2).multiply(8))
        .withColumn(
            "churned",
            when(
                    col("support_calls").multiply(0.6)
                        .minus(col("tenure").multiply(0.08))
                        .plus(randn(seed + 3).multiply(0.8))
                        .gt(0),
                    1.0)
                .otherwise(0.0));
  }
}
