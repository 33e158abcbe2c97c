package io.runlake.cli;

import io.runlake.Tracking;
import io.runlake.errors.ErrorCode;
import io.runlake.errors.RunlakeException;
import io.runlake.tracking.Experiment;
import io.runlake.tracking.Metric;
import io.runlake.tracking.Run;
import io.runlake.tracking.RunInfo;
import io.runlake.tracking.ViewType;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "runs",
    description = "Search runs, and end the ones whose process died.",
    mixinStandardHelpOptions = true,
    subcommands = {RunsCommand.Search.class, RunsCommand.MarkStale.class})
final class RunsCommand {

  @Command(
      name = "search",
      description = "Runs of an experiment matching a filter, newest first or in the order given.",
      mixinStandardHelpOptions = true)
  static final class Search implements Callable<Integer> {
    @Mixin StoreOption store;

    @Option(names = {"-e", "--experiment"}, required = true, description = "Experiment name.")
    String experiment;

    @Option(names = "--max", description = "Most runs to show (default ${DEFAULT-VALUE}).")
    int max = 50;

    @Option(names = "--view", description = "ACTIVE_ONLY, DELETED_ONLY or ALL (default ${DEFAULT-VALUE}).")
    ViewType view = ViewType.ACTIVE_ONLY;

    @Option(
        names = {"-f", "--filter"},
        description = "MLflow filter, e.g. \"metrics.auc > 0.9 AND params.model = 'gbt'\" (OR, NOT and parentheses too).")
    String filter;

    @Option(
        names = {"-o", "--order-by"},
        split = ",",
        description = "Order clauses, e.g. \"metrics.auc DESC\" (default start_time DESC).")
    List<String> orderBy = List.of();

    @Override
    public Integer call() {
      try (Tracking tracking = store.open()) {
        Experiment e =
            tracking
                .client()
                .findExperimentByName(experiment)
                .orElseThrow(
                    () ->
                        new RunlakeException(
                            ErrorCode.RESOURCE_DOES_NOT_EXIST,
                            "No experiment named '" + experiment + "'. List them with 'runlake experiments'."));
        List<Run> runs =
            tracking.client().searchRuns(List.of(e.experimentId()), filter, view, max, orderBy, null).items();
        print(runs, System.out);
      }
      return 0;
    }
  }

  /** Prints runs as a table: attributes, params and latest metrics. */
  static void print(List<Run> runs, PrintStream out) {
    TextTable table = new TextTable("run_id", "name", "status", "started", "params", "metrics");
    for (Run r : runs) {
      table.row(
          r.info().runId(),
          r.info().runName(),
          r.info().status(),
          Instant.ofEpochMilli(r.info().startTime()),
          r.data().params().entrySet().stream()
              .map(p -> p.getKey() + "=" + p.getValue())
              .collect(Collectors.joining(" ")),
          r.data().metrics().stream()
              .map(m -> m.key() + "=" + format(m))
              .collect(Collectors.joining(" ")));
    }
    table.print(out);
  }

  private static String format(Metric m) {
    return String.format("%.4f", m.value());
  }

  @Command(
      name = "mark-stale",
      description =
          "End as KILLED every RUNNING run whose process stopped sending heartbeats (it died"
              + " without ending the run).",
      mixinStandardHelpOptions = true)
  static final class MarkStale implements Callable<Integer> {
    @Mixin StoreOption store;

    @Option(
        names = "--older-than",
        description = "Heartbeat age that makes a run stale, e.g. 10m, 90s, 2h (default ${DEFAULT-VALUE}).")
    String olderThan = "5m";

    @Override
    public Integer call() {
      Duration timeout = parseDuration(olderThan);
      try (Tracking tracking = store.open()) {
        List<RunInfo> killed = tracking.client().markStaleRunsKilled(timeout);
        TextTable table = new TextTable("run_id", "name", "experiment_id", "last_heartbeat");
        for (RunInfo r : killed) {
          table.row(r.runId(), r.runName(), r.experimentId(), Instant.ofEpochMilli(r.endTime()));
        }
        System.out.println("Marked " + killed.size() + " stale run(s) KILLED.");
        if (!killed.isEmpty()) {
          table.print(System.out);
        }
      }
      return 0;
    }
  }

  static Duration parseDuration(String text) {
    String t = text.trim().toLowerCase();
    try {
      long n = Long.parseLong(t.substring(0, t.length() - 1));
      return switch (t.charAt(t.length() - 1)) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        case 'd' -> Duration.ofDays(n);
        default -> throw new NumberFormatException();
      };
    } catch (RuntimeException e) {
      throw new RunlakeException(
          ErrorCode.INVALID_PARAMETER_VALUE,
          "Invalid duration '" + text + "': write a number and a unit, s, m, h or d (e.g. 10m).");
    }
  }
}
