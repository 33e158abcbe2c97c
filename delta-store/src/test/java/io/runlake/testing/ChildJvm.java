package io.runlake.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A separate JVM running a test main class on this JVM's class path and flags, with its standard
 * output readable line by line (standard error goes to a log file next to the test data).
 */
public final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private ChildJvm(Process process) {
    this.process = process;
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  lines.add(line);
                }
              } catch (IOException e) {
                lines.add("EOF " + e);
              }
              lines.add("EOF");
            },
            "child-jvm-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  public static ChildJvm start(Class<?> main, Path log, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx1g");
    String flags = System.getProperty("runlake.test.jvm.options", "");
    command.addAll(Arrays.asList(flags.trim().split("\\s+")));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(Arrays.asList(args));
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      return new ChildJvm(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The next line of output that starts with {@code prefix}, waiting at most {@code seconds}. */
  public String awaitLine(String prefix, long seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      long left = deadline - System.nanoTime();
      String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
      if (line == null) {
        throw new AssertionError("child JVM printed no line starting with '" + prefix + "' in " + seconds + " s");
      }
      if (line.startsWith(prefix)) {
        return line;
      }
      if (line.startsWith("EOF")) {
        throw new AssertionError("child JVM ended (exit " + exitCode() + ") before printing '" + prefix + "'");
      }
    }
  }

  /** Stops the JVM with SIGTERM: its shutdown hooks run. */
  public void terminate() {
    process.destroy();
  }

  /** Kills the JVM with SIGKILL: no shutdown hook runs. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  public int waitFor(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      throw new AssertionError("child JVM still running after " + seconds + " s");
    }
    return process.exitValue();
  }

  private String exitCode() {
    return process.isAlive() ? "running" : Integer.toString(process.exitValue());
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
