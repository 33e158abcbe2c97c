package io.runlake.cli;

import io.runlake.errors.RunlakeException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code runlake} command. */
@Command(
    name = "runlake",
    mixinStandardHelpOptions = true,
    version = "runlake 0.1.0",
    description = "Experiment tracking, model registry and scoring on Spark and Delta Lake.",
    subcommands = {
      QuickstartCommand.class,
      ExperimentsCommand.class,
      RunsCommand.class,
      ScoreCommand.class,
      SqlCommand.class,
      CommandLine.HelpCommand.class
    })
public final class RunlakeCli {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code (for tests and embedding). */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new RunlakeCli());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parsed) -> {
          if (e instanceof RunlakeException re) {
            commandLine.getErr().println("error: " + re.code() + ": " + re.getMessage());
            return 2;
          }
          throw e;
        });
    return cli.execute(args);
  }
}
