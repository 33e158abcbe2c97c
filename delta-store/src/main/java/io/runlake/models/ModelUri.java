package io.runlake.models;

import io.runlake.errors.ErrorCode;
import io.runlake.errors.RunlakeException;
import io.runlake.registry.ModelStage;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model URI, parsed: {@code runs:/<run_id>/<path>}, {@code models:/<name>/<version>},
 * {@code models:/<name>/<stage>}, {@code models:/<name>/latest}, {@code models:/<name>@<alias>}, or a
 * plain file system URI or path to a model directory.
 */
public sealed interface ModelUri {

  /** {@code runs:/<run_id>/<path>}: a model logged to a run's artifacts. */
  record RunArtifact(String runId, String path) implements ModelUri {}

  /** {@code models:/<name>/<version>}. */
  record Version(String name, long version) implements ModelUri {}

  /** {@code models:/<name>/<stage>}: the newest version in that stage. */
  record Stage(String name, ModelStage stage) implements ModelUri {}

  /** {@code models:/<name>/latest}: the newest version. */
  record Latest(String name) implements ModelUri {}

  /** {@code models:/<name>@<alias>}. */
  record Alias(String name, String alias) implements ModelUri {}

  /** A model directory on a file system. */
  record Location(String uri) implements ModelUri {}

  Pattern RUNS = Pattern.compile("runs:/+([^/]+)/(.+)");
  Pattern MODELS_ALIAS = Pattern.compile("models:/+([^/@]+)@([^/]+)/?");
  Pattern MODELS = Pattern.compile("models:/+([^/@]+)/([^/]+)/?");

  /**
   * @throws RunlakeException INVALID_PARAMETER_VALUE for a {@code runs:} or {@code models:} URI that
   *     does not have one of the forms above
   */
  static ModelUri parse(String uri) {
    if (uri == null || uri.isBlank()) {
      throw invalid(uri, "it is empty");
    }
    if (uri.startsWith("runs:")) {
      Matcher m = RUNS.matcher(uri);
      if (!m.matches()) {
        throw invalid(uri, "a run model URI is runs:/<run_id>/<path>");
      }
      return new RunArtifact(m.group(1), m.group(2).replaceAll("/+$", ""));
    }
    if (uri.startsWith("models:")) {
      Matcher alias = MODELS_ALIAS.matcher(uri);
      if (alias.matches()) {
        return new Alias(alias.group(1), alias.group(2));
      }
      Matcher m = MODELS.matcher(uri);
      if (!m.matches()) {
        throw invalid(
            uri,
            "a registry URI is models:/<name>/<version>, models:/<name>/<stage>,"
                + " models:/<name>/latest or models:/<name>@<alias>");
      }
      String name = m.group(1);
      String ref = m.group(2);
      if (ref.chars().allMatch(Character::isDigit)) {
        return new Version(name, Long.parseLong(ref));
      }
      if (ref.equalsIgnoreCase("latest")) {
        return new Latest(name);
      }
      Optional<ModelStage> stage = ModelStage.find(ref);
      if (stage.isEmpty()) {
        throw invalid(
            uri,
            "'" + ref + "' is neither a version number, 'latest', nor a stage (None, Staging,"
                + " Production, Archived)");
      }
      return new Stage(name, stage.get());
    }
    return new Location(uri);
  }

  private static RunlakeException invalid(String uri, String why) {
    return new RunlakeException(
        ErrorCode.INVALID_PARAMETER_VALUE, "Invalid model URI '" + uri + "': " + why + ".");
  }
}
