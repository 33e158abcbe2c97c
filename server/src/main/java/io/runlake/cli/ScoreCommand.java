package io.runlake.cli;

import io.runlake.Tracking;
import io.runlake.scoring.batch.ScoringJob;
import io.runlake.scoring.batch.ScoringJobSpec;
import io.runlake.scoring.batch.ScoringResult;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code runlake score}: the scheduled batch-scoring job. Also the {@code spark-submit} entry point:
 * {@code spark-submit --class io.runlake.cli.RunlakeCli runlake.jar score --model ... }.
 */
@Command(
    name = "score",
    description = "Score a Delta table with a registered model into another table, recorded as a run.",
    mixinStandardHelpOptions = true)
final class ScoreCommand implements Callable<Integer> {
  @Mixin StoreOption store;

  @Option(names = {"-m", "--model"}, required = true, description = "Model URI: models:/churn@champion, models:/churn/3, runs:/<run>/model...")
  String model;

  @Option(names = {"-i", "--input"}, required = true, description = "Input: a Delta table of the catalog or a Delta table path.")
  String input;

  @Option(names = {"-o", "--output"}, required = true, description = "Output: a Delta table of the catalog or a Delta table path (created if missing).")
  String output;

  @Option(names = "--mode", description = "append, overwrite or merge (default ${DEFAULT-VALUE}).")
  String mode = "append";

  @Option(names = {"-k", "--key"}, split = ",", description = "Key columns for --mode merge.")
  List<String> keys = List.of();

  @Option(names = {"-f", "--filter"}, description = "Spark SQL predicate on the input, e.g. \"region = 'EU'\".")
  String filter;

  @Option(names = {"-c", "--columns"}, split = ",", description = "Model columns to write (default: prediction).")
  List<String> columns = List.of();

  @Option(names = "--incremental", description = "Score only rows added since this job's last successful run.")
  boolean incremental;

  @Option(names = "--job", description = "Job name (default: derived from input and output).")
  String job;

  @Option(names = "--experiment", description = "Experiment of the scoring runs (default ${DEFAULT-VALUE}).")
  String experiment = "runlake-scoring";

  @Override
  public Integer call() {
    ScoringJobSpec.WriteMode writeMode;
    try {
      writeMode = ScoringJobSpec.WriteMode.valueOf(mode.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new io.runlake.errors.RunlakeException(
          io.runlake.errors.ErrorCode.INVALID_PARAMETER_VALUE,
          "Invalid --mode '" + mode + "': use append, overwrite or merge.");
    }
    ScoringJobSpec spec =
        ScoringJobSpec.builder(model, input, output)
            .jobName(job)
            .mode(writeMode)
            .mergeKeys(keys)
            .filter(filter)
            .outputColumns(columns)
            .incremental(incremental)
            .experiment(experiment)
            .build();
    try (Tracking tracking = store.open()) {
      System.out.println("scoring " + input + " with " + model + " into " + output + " (" + writeMode.name().toLowerCase(Locale.ROOT) + ")");
      ScoringResult r = new ScoringJob(StoreOption.spark(), tracking.client(), spec, System.out).run();
      System.out.printf(
          "done: %,d rows in, %,d rows out, model %s version %s, input versions %d..%d, batch %s, run %s, %.1f s%n",
          r.rowsIn(), r.rowsOut(), r.modelName(), r.modelVersion(), r.fromVersion() + 1, r.toVersion(),
          r.batchId(), r.runId(), r.seconds());
    }
    return 0;
  }
}
