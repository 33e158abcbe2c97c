package io.runlake.cli;

import io.runlake.Tracking;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "sql",
    description = "Run a Spark SQL query over the store's tables and views (runlake.runs, ...).",
    mixinStandardHelpOptions = true)
final class SqlCommand implements Callable<Integer> {
  @Mixin StoreOption store;

  @Parameters(index = "0", description = "The query, e.g. \"SELECT run_name, metrics['auc'] FROM runlake.runs\".")
  String query;

  @Option(names = "--limit", description = "Rows to print (default ${DEFAULT-VALUE}).")
  int limit = 50;

  @Override
  public Integer call() {
    try (Tracking tracking = store.open()) {
      tracking.client().sync();
      TextTable.of(StoreOption.spark().sql(query), limit).print(System.out);
    }
    return 0;
  }
}
