package io.runlake.scoring;

import static io.runlake.testing.Errors.assertError;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.assertj.core.api.Assertions.assertThat;

import io.runlake.ActiveRun;
import io.runlake.Runlake;
import io.runlake.Tracking;
import io.runlake.delta.DeltaStores;
import io.runlake.errors.ErrorCode;
import io.runlake.models.spark.LoggedModel;
import io.runlake.models.spark.Models;
import io.runlake.registry.ModelRegistry;
import io.runlake.testing.SharedSpark;
import java.util.List;
import java.util.Random;
import java.util.ArrayList;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Registered models scoring as Spark plans: the API, the Column function and both SQL functions, with
 * Delta's SQL extension configured beside runlake's, for every model URI form.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScoringTest {
  private SparkSession spark;
  private Tracking tracking;
  private Dataset<Row> customers;
  private List<Double> expectedA;
  private List<Double> expectedB;
  private LoggedModel a;

  @BeforeAll
  void setUp() {
    spark = SharedSpark.session();
    assertThat(spark.conf().get("spark.sql.extensions"))
        .contains(RunlakeExtensions.class.getName()).contains("DeltaSparkSessionExtension");
    spark.conf().set(DeltaStores.ROOT_CONF, SharedSpark.newDirectory("scoring").toString());
    spark.conf().set(DeltaStores.DATABASE_CONF, "scoring_store");
    tracking = Runlake.tracking(spark);
    tracking.setExperiment("scoring");
    Dataset<Row> data = frame();
    PipelineModel modelA = train(data, 0.0);
    PipelineModel modelB = train(data.withColumn("label", lit(1.0).minus(col("label"))), 0.0);
    try (ActiveRun run = tracking.startRun("train")) {
      a = Models.logger(spark, tracking.client()).run(run.id()).artifactPath("a").input(data.select("x1", "x2")).registerAs("churn").log(modelA);
      Models.logger(spark, tracking.client()).run(run.id()).artifactPath("b").input(data.select("x1", "x2")).registerAs("churn").log(modelB);
    }
    ModelRegistry registry = tracking.registry();
    registry.transitionModelVersionStage("churn", 1, "Production", false);
    registry.setRegisteredModelAlias("churn", "champion", 1);
    spark.sql("CREATE DATABASE IF NOT EXISTS scoring_db");
    data.drop("label").write().format("delta").mode("overwrite").saveAsTable("scoring_db.customers");
    customers = spark.table("scoring_db.customers");
    expectedA = predictions(modelA.transform(customers));
    expectedB = predictions(modelB.transform(customers));
    assertThat(expectedA).isNotEqualTo(expectedB);
  }

  @AfterAll
  void tearDown() {
    spark.conf().unset(DeltaStores.ROOT_CONF);
    spark.conf().unset(DeltaStores.DATABASE_CONF);
    tracking.close();
  }

  @Test
  void scoresWithEveryUriFormAsANativePlan() {
    for (String uri : List.of("models:/churn@champion", "models:/churn/1", "models:/churn/Production", "models:/churn/production", a.modelUri(), a.location())) {
      Dataset<Row> scored = Scoring.score(customers, uri);
      assertThat(scored.columns()).containsExactly("id", "x1", "x2", "prediction");
      assertThat(predictions(scored)).as(uri).isEqualTo(expectedA);
    }
    assertThat(predictions(Scoring.score(customers, "models:/churn/latest"))).isEqualTo(expectedB);
    Dataset<Row> chosen = Scoring.score(customers, "models:/churn/1", "probability", "prediction");
    assertThat(chosen.columns()).containsExactly("id", "x1", "x2", "probability", "prediction");
  }

  @Test
  void theColumnFunctionTakesColumnsOrAStruct() {
    Dataset<Row> byColumns = customers.withColumn("prediction", Scoring.predict("models:/churn@champion", col("x1"), col("x2")));
    assertThat(predictions(byColumns)).isEqualTo(expectedA);
    Dataset<Row> byStruct = customers.withColumn("prediction", Scoring.predict("models:/churn@champion", struct(col("x2"), col("x1"))));
    assertThat(predictions(byStruct)).isEqualTo(expectedA);
    String plan = byColumns.queryExecution().executedPlan().toString();
    assertThat(plan).doesNotContain("runlake_predict").startsWith("*(1) Project");
  }

  @Test
  void sqlScalarFunctionInSelectAndWhere() {
    List<Double> viaSql = spark.sql(
            "SELECT id, runlake_predict('models:/churn@champion', x1, x2) AS prediction FROM scoring_db.customers")
        .orderBy("id").collectAsList().stream().map(r -> r.getDouble(1)).toList();
    assertThat(viaSql).isEqualTo(expectedA);
    long positives = spark.sql(
            "SELECT id FROM scoring_db.customers WHERE runlake_predict('models:/churn/1', x1, x2) = 1.0").count();
    assertThat(positives).isEqualTo(expectedA.stream().filter(p -> p == 1.0).count());
    // Two models in one SELECT, with a column of the input already named 'prediction'.
    Row row = spark.sql(
            "SELECT id, prediction, runlake_predict('models:/churn/1', x1, x2) AS p1,"
                + " runlake_predict('models:/churn/2', x1, x2) AS p2"
                + " FROM (SELECT id, x1, x2, CAST(-1 AS DOUBLE) AS prediction FROM scoring_db.customers) ORDER BY id LIMIT 1")
        .first();
    assertThat(row.getDouble(1)).isEqualTo(-1.0);
    assertThat(row.getDouble(2)).isEqualTo(expectedA.get(0));
    assertThat(row.getDouble(3)).isEqualTo(expectedB.get(0));
  }

  @Test
  void sqlTableFunctionKeepsPruningAndPushdown() {
    Dataset<Row> scored = spark.sql(
        "SELECT id, prediction FROM runlake_score('models:/churn@champion', 'scoring_db.customers') WHERE x1 > 0");
    List<Row> rows = scored.orderBy("id").collectAsList();
    Dataset<Row> expected = Scoring.score(customers, "models:/churn/1").where("x1 > 0").orderBy("id");
    assertThat(rows).extracting(r -> r.getDouble(1)).containsExactlyElementsOf(predictions(expected));
    String plan = scored.queryExecution().executedPlan().toString();
    assertThat(plan).contains("PushedFilters: [IsNotNull(x1), GreaterThan(x1,0.0)]");
    assertThat(plan).doesNotContain("probability#");
    assertThat(spark.sql("SELECT * FROM runlake_score('models:/churn/1', TABLE(scoring_db.customers))").count())
        .isEqualTo(customers.count());
    assertThat(spark.sql("SELECT count(*) FROM runlake_score('models:/churn/1', TABLE(SELECT * FROM scoring_db.customers WHERE id < 10))").first().getLong(0))
        .isEqualTo(10);
  }

  @Test
  void aMovedAliasChangesTheNextQuery() {
    String q = "SELECT id, runlake_predict('models:/churn@moving', x1, x2) FROM scoring_db.customers ORDER BY id";
    tracking.registry().setRegisteredModelAlias("churn", "moving", 1);
    assertThat(spark.sql(q).collectAsList()).extracting(r -> r.getDouble(1)).containsExactlyElementsOf(expectedA);
    tracking.registry().setRegisteredModelAlias("churn", "moving", 2);
    assertThat(spark.sql(q).collectAsList()).extracting(r -> r.getDouble(1)).containsExactlyElementsOf(expectedB);
    assertThat(predictions(Scoring.score(customers, "models:/churn@moving"))).isEqualTo(expectedB);
  }

  @Test
  void signatureMismatchesFailBeforeAnyTaskRuns() {
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> Scoring.score(customers.drop("x2"), "models:/churn/1"))
        .hasMessageStartingWith("The input has no column 'x2', which model models:/churn/1 reads (as double).");
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> Scoring.score(customers.withColumn("x1", lit("high")), "models:/churn/1"))
        .hasMessageStartingWith("Column 'x1' has type string, but model models:/churn/1 expects double.");
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> spark.sql("SELECT runlake_predict('models:/churn/1', x1) FROM scoring_db.customers"))
        .hasMessageStartingWith("Model models:/churn/1 reads 2 columns (x1, x2), but 1 were given.");
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> spark.sql("SELECT runlake_predict('models:/churn/1', x1, cast(x2 AS string)) FROM scoring_db.customers"))
        .hasMessageStartingWith("Column 'x2' has type string, but model models:/churn/1 expects double.");
    assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, () -> spark.sql("SELECT * FROM runlake_score('models:/churn@nobody', 'scoring_db.customers')"));
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> spark.sql("SELECT max(runlake_predict('models:/churn/1', x1, x2)) FROM scoring_db.customers"))
        .hasMessageStartingWith("runlake_predict can be used in a SELECT list or a WHERE clause");
    // Integers are numbers: accepted where the model reads doubles.
    assertThat(Scoring.score(customers.withColumn("x1", lit(1)), "models:/churn/1").count()).isEqualTo(customers.count());
  }

  static List<Double> predictions(Dataset<Row> scored) {
    return scored.orderBy("id").select("prediction").collectAsList().stream().map(r -> r.getDouble(0)).toList();
  }

  private static PipelineModel train(Dataset<Row> data, double reg) {
    return new Pipeline()
        .setStages(new PipelineStage[] {
          new VectorAssembler().setInputCols(new String[] {"x1", "x2"}).setOutputCol("features"),
          new LogisticRegression().setRegParam(reg).setMaxIter(20)
        })
        .fit(data);
  }

  private static Dataset<Row> frame() {
    Random random = new Random(11);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      double x1 = random.nextGaussian();
      double x2 = random.nextGaussian();
      rows.add(RowFactory.create((long) i, x1, x2, x1 - x2 + 0.4 * random.nextGaussian() > 0 ? 1.0 : 0.0));
    }
    return SharedSpark.session().createDataFrame(rows, new StructType().add("id", "long").add("x1", "double").add("x2", "double").add("label", "double"));
  }
}
