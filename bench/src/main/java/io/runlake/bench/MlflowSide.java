package io.runlake.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Runs the MLflow side of a benchmark (a script in the project's virtualenv) and reads its result. */
final class MlflowSide {
  private static final ObjectMapper JSON = new ObjectMapper();

  private MlflowSide() {}

  /** Runs {@code command}; its last line of standard output is the JSON result. */
  static JsonNode run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("MLflow side failed: " + command);
    }
    String[] lines = out.strip().split("\n");
    return JSON.readTree(lines[lines.length - 1]);
  }
}
