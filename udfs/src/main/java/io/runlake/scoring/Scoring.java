package io.runlake.scoring;

import static org.apache.spark.sql.functions.call_function;
import static org.apache.spark.sql.functions.lit;

import io.runlake.Runlake;
import io.runlake.errors.ErrorCode;
import io.runlake.errors.RunlakeException;
import io.runlake.models.MLmodel;
import io.runlake.models.ModelUri;
import io.runlake.models.spark.LoadedModel;
import io.runlake.models.spark.Models;
import io.runlake.models.spark.ResolvedModel;
import io.runlake.scoring.internal.MllibPlans;
import io.runlake.scoring.internal.OnnxModel;
import io.runlake.scoring.internal.OnnxScorer;
import io.runlake.scoring.internal.ScoringModel;
import io.runlake.tracking.TrackingStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Scoring with registered models, as Spark plans.
 *
 * <pre>{@code
 * Dataset<Row> scored = Scoring.score(customers, "models:/churn@champion", "prediction", "probability");
 * customers.withColumn("churn", Scoring.predict("models:/churn@champion", col("tenure"), col("spend")));
 * }</pre>
 *
 * {@link #score} needs nothing configured; {@link #predict} and the SQL functions need
 * {@link RunlakeExtensions} in {@code spark.sql.extensions}. URIs naming registry entries resolve in
 * the session's default store ({@code spark.runlake.store}).
 */
public final class Scoring {
  private Scoring() {}

  /**
   * {@code input} with the model's output columns added: the model's own {@code transform}, so Spark
   * optimises it like any query. The input is checked against the model's signature first.
   *
   * @param outputColumns the model columns to keep (default: the prediction column); every input
   *     column is kept
   * @throws RunlakeException INVALID_PARAMETER_VALUE if a column the model reads is missing or of an
   *     incompatible type, naming the column and both types
   */
  public static Dataset<Row> score(Dataset<Row> input, String uri, String... outputColumns) {
    SparkSession spark = input.sparkSession();
    ResolvedModel resolved = Models.resolve(uri, storeFor(spark, uri));
    MLmodel mlmodel = Models.readMLmodel(spark, resolved.location());
    if (mlmodel.flavor("spark").isEmpty() && mlmodel.flavor("onnx").isPresent()) {
      for (String c : outputColumns) {
        if (!c.equals("prediction")) {
          throw new RunlakeException(
              ErrorCode.INVALID_PARAMETER_VALUE,
              "An ONNX model adds one column, 'prediction'; it has no column '" + c + "'.");
        }
      }
      return OnnxScorer.score(input, OnnxModel.load(spark, resolved, mlmodel));
    }
    return score(input, new ScoringModel(Models.load(spark, resolved)), outputColumns);
  }

  /** As {@link #score(Dataset, String, String...)}, with a model already loaded (and so pinned). */
  public static Dataset<Row> score(Dataset<Row> input, LoadedModel model, String... outputColumns) {
    return score(input, new ScoringModel(model), outputColumns);
  }

  static Dataset<Row> score(Dataset<Row> input, ScoringModel model, String... outputColumns) {
    model.checkInput(input.schema());
    Dataset<Row> transformed =
        org.apache.spark.sql.classic.Dataset.ofRows(
            (org.apache.spark.sql.classic.SparkSession) input.sparkSession(),
            MllibPlans.withDeterministicMllibUdfs(
                model.loaded().transform(input).queryExecution().analyzed()));
    Set<String> keep = new LinkedHashSet<>(Arrays.asList(input.columns()));
    if (outputColumns.length == 0) {
      keep.add(model.outputColumn());
    } else {
      for (String c : outputColumns) {
        if (!Arrays.asList(transformed.columns()).contains(c)) {
          throw new RunlakeException(
              ErrorCode.INVALID_PARAMETER_VALUE,
              "Model " + model.loaded().uri() + " produces no column '" + c + "'. It adds "
                  + model.addedColumns(input.schema()) + ".");
        }
        keep.add(c);
      }
    }
    List<Column> columns = new ArrayList<>();
    for (String c : keep) {
      columns.add(transformed.col("`" + c.replace("`", "``") + "`"));
    }
    return transformed.select(columns.toArray(Column[]::new));
  }

  /**
   * The model's prediction for the given columns (in the order of the model's signature), or for one
   * struct column holding them by name.
   *
   * @throws RunlakeException INVALID_STATE if the session lacks runlake's SQL extension
   */
  public static Column predict(String uri, Column... inputs) {
    SparkSession spark = SparkSession.active();
    String extensions = spark.conf().get("spark.sql.extensions", "");
    if (!extensions.contains(RunlakeExtensions.class.getName())) {
      throw new RunlakeException(
          ErrorCode.INVALID_STATE,
          "Scoring.predict needs runlake's SQL extension: start Spark with --conf"
              + " spark.sql.extensions=" + RunlakeExtensions.class.getName()
              + ",io.delta.sql.DeltaSparkSessionExtension. Without it, use Scoring.score(input, uri).");
    }
    Column[] args = new Column[inputs.length + 1];
    args[0] = lit(uri);
    System.arraycopy(inputs, 0, args, 1, inputs.length);
    return call_function(RunlakeExtensions.PREDICT, args);
  }

  /**
   * Resolves {@code uri} now (aliases and stages included) and loads its Spark ML model (cached), for
   * {@code runlake_predict}.
   */
  static ScoringModel modelForPlanning(SparkSession spark, String uri) {
    ResolvedModel resolved = Models.resolve(uri, storeFor(spark, uri));
    MLmodel mlmodel = Models.readMLmodel(spark, resolved.location());
    if (mlmodel.flavor("spark").isEmpty() && mlmodel.flavor("onnx").isPresent()) {
      throw new RunlakeException(
          ErrorCode.INVALID_PARAMETER_VALUE,
          "runlake_predict scores Spark ML models; " + uri + " is an ONNX model. Score it with"
              + " runlake_score('" + uri + "', <table>) or Scoring.score.");
    }
    return new ScoringModel(Models.load(spark, resolved));
  }

  /** The store {@code runs:/} and {@code models:/} URIs resolve in: the session's default store. */
  private static TrackingStore storeFor(SparkSession spark, String uri) {
    return ModelUri.parse(uri) instanceof ModelUri.Location ? null : Runlake.tracking(spark).client();
  }
}
