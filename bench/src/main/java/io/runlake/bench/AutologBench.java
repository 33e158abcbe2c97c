package io.runlake.bench;

import io.runlake.delta.DeltaStores;
import io.runlake.plugin.Autolog;
import io.runlake.plugin.RunlakePlugin;
import io.runlake.plugin.internal.PluginState;
import io.runlake.tracking.TrackingStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The cost of autologging: the same fits with runlake's plugin recording them (params, training data,
 * model in the MLmodel format, child runs, metrics) and paused, alternated in one Spark application.
 * Run it with {@code bench/run autolog}.
 */
public final class AutologBench {

  public static void main(String[] args) throws Exception {
    int rows = 200_000;
    int repeats = 8;
    for (String a : args) {
      if (a.startsWith("--rows=")) {
        rows = Integer.parseInt(a.substring(7));
      } else if (a.startsWith("--repeats=")) {
        repeats = Integer.parseInt(a.substring(10));
      }
    }
    Path work = Files.createTempDirectory("runlake-autolog-bench-");
    SparkSession spark =
        DeltaStores.configure(SparkSession.builder().master("local[*]").appName("runlake-autolog-bench"))
            .config("spark.plugins", RunlakePlugin.class.getName())
            .config("spark.runlake.store", work.resolve("store").toString())
            .config("spark.runlake.database", "bench_autolog")
            .config("spark.runlake.experiment", "autolog-bench")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.warehouse.dir", work.resolve("warehouse").toString())
            .getOrCreate();
    if (!RunlakePlugin.agentInstalled()) {
      throw new IllegalStateException("runlake's agent did not attach: nothing would be autologged");
    }
    Dataset<Row> data = ScoringBench.labeled(spark, rows).cache();
    data.count();
    LogisticRegression lr = new LogisticRegression().setMaxIter(20);
    Pipeline pipeline =
        new Pipeline()
            .setStages(new PipelineStage[] {
              new VectorAssembler().setInputCols(new String[] {"x1", "x2", "x3", "x4"}).setOutputCol("raw"),
              new StandardScaler().setInputCol("raw").setOutputCol("features"),
              lr
            });
    ParamMap[] grid = new ParamGridBuilder().addGrid(lr.regParam(), new double[] {0.01, 0.1}).build();
    CrossValidator cv =
        new CrossValidator()
            .setEstimator(pipeline)
            .setEvaluator(new BinaryClassificationEvaluator())
            .setEstimatorParamMaps(grid)
            .setNumFolds(3)
            .setSeed(7);
    Dataset<Row> small = data.limit(rows / 4).cache();
    small.count();
    Dataset<Row> features =
        new VectorAssembler().setInputCols(new String[] {"x1", "x2", "x3", "x4"}).setOutputCol("features")
            .transform(data).cache();
    features.count();

    System.out.printf(
        "%nAutologging overhead: the same fits with the plugin recording and paused, in ABBA pairs;"
            + " medians of %d pairs after 2 warm-up pairs%n", repeats);
    Table t = new Table(
        "workload", "fit, autolog paused (s)", "fit, autologged (s)", "ratio (median of pairs)", "range of pairs",
        "fit + background logging (s)");
    measure(t, String.format(Locale.ROOT, "Pipeline (assembler, scaler, LR) on %,d rows", rows), () -> fit(pipeline, data), repeats);
    measure(t, String.format(Locale.ROOT, "CrossValidator 3 folds x 2 maps on %,d rows", rows / 4), () -> fit(cv, small), repeats);
    measure(t, String.format(Locale.ROOT, "bare LogisticRegression on %,d rows", rows), () -> fit(lr, features), repeats);
    t.print();
    System.out.println(
        "(autologged: params, training schema and size, the model in the MLmodel format with signature"
            + " and input example, CV child runs and metrics; background logging runs on the plugin's"
            + " thread after fit returns)");
    spark.stop();
  }

  private static Object fit(Estimator<?> estimator, Dataset<Row> data) {
    return estimator.fit(data);
  }

  /** Alternates paused and recorded fits so drift (JIT, caches, GC) affects both sides alike. */
  private static void measure(Table t, String name, Supplier<Object> fit, int repeats) {
    PluginState state = PluginState.current();
    TrackingStore store = state.trackingForTests().client();
    for (int i = 0; i < 2; i++) {
      Autolog.pause();
      fit.get();
      Autolog.resume();
      fit.get();
      state.drain();
    }
    double[] paused = new double[repeats];
    double[] logged = new double[repeats];
    double[] recorded = new double[repeats];
    for (int i = 0; i < repeats; i++) {
      // ABBA order, each fit from a collected heap with nothing pending, so neither side inherits the
      // other's garbage or background work.
      for (boolean record : i % 2 == 0 ? new boolean[] {false, true} : new boolean[] {true, false}) {
        if (record) {
          Autolog.resume();
        } else {
          Autolog.pause();
        }
        System.gc();
        long start = System.nanoTime();
        fit.get();
        double seconds = (System.nanoTime() - start) / 1e9;
        state.drain();
        store.sync(); // the store's background fold of the new runs, too: nothing left to overlap the next fit
        if (record) {
          logged[i] = seconds;
          recorded[i] = (System.nanoTime() - start) / 1e9;
        } else {
          paused[i] = seconds;
        }
      }
    }
    Autolog.resume();
    double[] ratios = new double[repeats];
    for (int i = 0; i < repeats; i++) {
      ratios[i] = logged[i] / paused[i];
    }
    t.row(
        name, Table.f2(median(paused)), Table.f2(median(logged)), String.format(Locale.ROOT, "%.3fx", median(ratios)),
        String.format(Locale.ROOT, "%.2f–%.2fx", min(ratios), max(ratios)), Table.f2(median(recorded)));
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static double min(double[] values) {
    return Arrays.stream(values).min().orElse(Double.NaN);
  }

  private static double max(double[] values) {
    return Arrays.stream(values).max().orElse(Double.NaN);
  }
}
