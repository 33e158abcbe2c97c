package io.runlake.plugin;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;

import io.runlake.plugin.internal.PluginState;
import io.runlake.testing.SharedSpark;
import io.runlake.tracking.Run;
import io.runlake.tracking.TrackingStore;
import io.runlake.tracking.ViewType;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.SparkConf;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.ml.tuning.TrainValidationSplit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * MLlib autologging in this JVM: the agent attached, the recorder on the shared session, fits and
 * tuners and evaluations run, then the runs they left are read back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AutologTest {
  private SparkSession spark;
  private Dataset<Row> data;

  @BeforeAll
  void start() {
    spark = SharedSpark.session();
    SparkConf conf = new SparkConf(false)
        .set("spark.runlake.store", SharedSpark.newDirectory("autolog").toString())
        .set("spark.runlake.database", "autolog_test")
        .set("spark.runlake.experiment", "autolog")
        .set("spark.runlake.autolog.logModels", "false");
    Autolog.start(spark, AutologConfig.from(conf));
    data = spark.range(0, 200)
        .withColumn("x1", rand(1))
        .withColumn("x2", rand(2))
        .withColumn("label", when(col("x1").plus(rand(3).multiply(0.3)).gt(0.6), 1.0).otherwise(0.0))
        .cache();
  }

  private TrackingStore store() {
    return PluginState.current().trackingForTests().client();
  }

  private List<Run> runs() {
    TrackingStore store = store();
    store.flush();
    String exp = store.findExperimentByName("autolog").orElseThrow().experimentId();
    return store.searchRuns(List.of(exp), null, ViewType.ALL, 1000, null, null).items();
  }

  @Test
  void crossValidatorChildRunsGetAverageAndSpreadOfFolds() throws Exception {
    VectorAssembler assembler = new VectorAssembler().setInputCols(new String[] {"x1", "x2"}).setOutputCol("features");
    LogisticRegression lr = new LogisticRegression().setMaxIter(5);
    ParamMap[] grid = new ParamGridBuilder().addGrid(lr.regParam(), new double[] {0.01, 0.5}).build();
    new CrossValidator()
        .setEstimator(new Pipeline().setStages(new PipelineStage[] {assembler, lr}))
        .setEstimatorParamMaps(grid)
        .setEvaluator(new BinaryClassificationEvaluator())
        .setNumFolds(2)
        .fit(data);
    PluginState.current().drain();
    List<Run> runs = runs();
    Run parent = runs.stream().filter(r -> r.info().runName().equals("CrossValidator")).findFirst().orElseThrow();
    List<Run> children = runs.stream()
        .filter(r -> parent.info().runId().equals(r.data().tags().get("mlflow.parentRunId")))
        .collect(Collectors.toList());
    assertThat(children).hasSize(2);
    assertThat(children).allSatisfy(c -> {
      assertThat(c.data().metric("avg_areaUnderROC")).isPresent();
      assertThat(c.data().metric("std_areaUnderROC")).isPresent();
      assertThat(c.data().params()).containsKey("LogisticRegression.regParam");
    });
    assertThat(parent.data().params()).containsKey("best_regParam");
    assertThat(parent.data().metric("best_areaUnderROC")).isPresent();
    assertThat(parent.data().metrics()).extracting(m -> m.key()).doesNotContain("areaUnderROC");
  }

  @Test
  void trainValidationSplitChildRunsGetTheValidationMetric() {
    LogisticRegression lr = new LogisticRegression().setMaxIter(5).setFeaturesCol("features");
    Dataset<Row> assembled = new VectorAssembler().setInputCols(new String[] {"x1", "x2"}).setOutputCol("features").transform(data);
    new TrainValidationSplit()
        .setEstimator(lr)
        .setEstimatorParamMaps(new ParamGridBuilder().addGrid(lr.maxIter(), new int[] {2, 4, 6}).build())
        .setEvaluator(new BinaryClassificationEvaluator())
        .fit(assembled);
    PluginState.current().drain();
    Run parent = runs().stream().filter(r -> r.info().runName().equals("TrainValidationSplit")).findFirst().orElseThrow();
    List<Run> children = runs().stream()
        .filter(r -> parent.info().runId().equals(r.data().tags().get("mlflow.parentRunId"))).toList();
    assertThat(children).hasSize(3).allSatisfy(c -> assertThat(c.data().metric("areaUnderROC")).isPresent());
    assertThat(parent.data().params()).containsKey("best_maxIter");
  }

  @Test
  void aBareEstimatorFitAndItsEvaluationAreLogged() {
    Dataset<Row> assembled = new VectorAssembler().setInputCols(new String[] {"x1", "x2"}).setOutputCol("features").transform(data);
    var model = new LogisticRegression().setMaxIter(3).setRegParam(0.2).fit(assembled);
    double auc = new BinaryClassificationEvaluator().evaluate(model.transform(assembled).select("label", "rawPrediction").where("label >= 0"));
    PluginState.current().drain();
    Run run = runs().stream()
        .filter(r -> r.info().runName().equals("LogisticRegression") && "0.2".equals(r.data().params().get("regParam")))
        .findFirst().orElseThrow();
    assertThat(run.data().params()).containsEntry("maxIter", "3");
    assertThat(run.data().tags()).containsEntry("runlake.estimator_class", LogisticRegression.class.getName());
    assertThat(run.data().metric("areaUnderROC").get().value()).isEqualTo(auc);
    assertThat(run.inputs()).extracting(i -> i.context()).contains("training");
    Map<String, String> tags = run.data().tags();
    assertThat(tags.get("mlflow.parentRunId")).isNotNull();
  }

  @Test
  void aPausedFitIsNotLoggedAndResumingLogsTheNextOne() {
    Dataset<Row> assembled = new VectorAssembler().setInputCols(new String[] {"x1", "x2"}).setOutputCol("features").transform(data);
    Autolog.pause();
    try {
      new LogisticRegression().setMaxIter(2).setRegParam(0.77).fit(assembled);
    } finally {
      Autolog.resume();
    }
    new LogisticRegression().setMaxIter(2).setRegParam(0.78).fit(assembled);
    PluginState.current().drain();
    List<String> regParams = runs().stream().map(r -> r.data().params().get("regParam")).toList();
    assertThat(regParams).contains("0.78").doesNotContain("0.77");
  }
}
