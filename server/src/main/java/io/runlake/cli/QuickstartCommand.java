package io.runlake.cli;

import static org.apache.spark.sql.functions.col;

import io.runlake.ActiveRun;
import io.runlake.Tracking;
import io.runlake.delta.DeltaStores;
import io.runlake.tracking.Run;
import io.runlake.tracking.TrackingStore;
import io.runlake.tracking.ViewType;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The whole loop on the embedded default: a tracked hyper-parameter sweep (a parent run with one nested
 * run per setting, each with params, tags and metric histories), then the runs found by a search and
 * by Spark SQL.
 */
@Command(
    name = "quickstart",
    description = "Track a small hyper-parameter sweep, then find its runs by search and by SQL.",
    mixinStandardHelpOptions = true)
final class QuickstartCommand implements Callable<Integer> {
  @Mixin StoreOption store;

  @Option(names = "--runs", description = "Settings in the sweep (default ${DEFAULT-VALUE}).")
  int runs = 4;

  @Option(names = "--epochs", description = "Metric steps per run (default ${DEFAULT-VALUE}).")
  int epochs = 20;

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

      String sweepId;
      try (ActiveRun sweep = tracking.startRun("sweep")) {
        sweepId = sweep.id();
        sweep.logParam("search", "grid").setTag("purpose", "quickstart");
        double best = 0;
        for (int i = 0; i < runs; i++) {
          double rate = 0.01 * (i + 1);
          int depth = 3 + 2 * (i % 3);
          try (ActiveRun trial =
              tracking.newRun().name("lr=" + rate + ",depth=" + depth).nested().start()) {
            trial.logParams(Map.of("learning_rate", rate, "max_depth", depth));
            trial.setTag("model", "gradient-boosting");
            best = Math.max(best, train(trial, rate, depth, i));
          }
        }
        sweep.logMetric("best_accuracy", best);
      }
      out.println(
          "2. Logged a sweep run with " + runs + " nested runs, " + epochs
              + " steps of loss/accuracy each; all ended and flushed");

      String filter = "tags.mlflow.parentRunId = '" + sweepId + "' AND metrics.accuracy > 0.9";
      List<Run> found =
          client
              .searchRuns(
                  List.of(experimentId),
                  filter,
                  ViewType.ACTIVE_ONLY,
                  1000,
                  List.of("metrics.accuracy DESC"),
                  null)
              .items();
      out.println("3. searchRuns(filter: " + filter + ", order: metrics.accuracy DESC):");
      RunsCommand.print(found, out);

      client.sync();
      out.println(
          "4. The best trials of this sweep, queried from the Spark view " + store.database
              + ".runs:");
      Dataset<Row> best =
          spark
              .table(store.database + ".runs")
              .where(col("tags").getItem("mlflow.parentRunId").equalTo(sweepId))
              .selectExpr(
                  "run_name",
                  "params['learning_rate'] AS learning_rate",
                  "params['max_depth'] AS max_depth",
                  "round(metrics['accuracy'], 4) AS accuracy")
              .orderBy(col("accuracy").desc());
      TextTable.of(best, 3).print(out);
      out.println(
          "Next: runlake runs search -e quickstart -f \"params.max_depth = '3' OR metrics.loss < 0.2\"");
      out.println("      runlake sql \"SELECT run_name, metrics FROM runlake.runs\"");
    }
    return 0;
  }

  /** A stand-in training loop with a plausible learning curve; returns the final accuracy. */
  private double train(ActiveRun run, double rate, int depth, long seed) {
    Random noise = new Random(seed);
    double accuracy = 0;
    for (int epoch = 0; epoch < epochs; epoch++) {
      double progress = 1 - Math.exp(-rate * 15 * (epoch + 1));
      double loss = 1.0 - 0.8 * progress + 0.02 * noise.nextGaussian() / depth;
      accuracy = 0.5 + 0.45 * progress * (1 - 0.02 * Math.abs(depth - 5)) + 0.005 * noise.nextGaussian();
      run.logMetric("loss", loss, epoch).logMetric("accuracy", accuracy, epoch);
    }
    return accuracy;
  }
}
