package io.runlake.cli;

import io.runlake.Tracking;
import io.runlake.tracking.Experiment;
import io.runlake.tracking.ViewType;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "experiments", description = "List experiments.", mixinStandardHelpOptions = true)
final class ExperimentsCommand implements Callable<Integer> {
  @Mixin StoreOption store;

  @Option(names = "--view", description = "ACTIVE_ONLY, DELETED_ONLY or ALL (default ${DEFAULT-VALUE}).")
  ViewType view = ViewType.ACTIVE_ONLY;

  @Override
  public Integer call() {
    try (Tracking tracking = store.open()) {
      TextTable table = new TextTable("id", "name", "lifecycle", "created", "artifact_location");
      for (Experiment e : tracking.client().searchExperiments(null, view, 50_000, null, null).items()) {
        table.row(
            e.experimentId(),
            e.name(),
            e.lifecycleStage().wireName(),
            Instant.ofEpochMilli(e.creationTime()),
            e.artifactLocation());
      }
      table.print(System.out);
    }
    return 0;
  }
}
