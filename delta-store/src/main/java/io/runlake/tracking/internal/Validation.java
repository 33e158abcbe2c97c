package io.runlake.tracking.internal;

import io.runlake.tracking.Metric;
import io.runlake.tracking.Param;
import io.runlake.tracking.RunTag;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * MLflow's input rules for tracking (mlflow/utils/validation.py), applied by every store before it
 * accepts a write, so that a call rejected by MLflow is rejected here with the same error code.
 */
public final class Validation {
  public static final int MAX_KEY_LENGTH = 250;
  public static final int MAX_PARAM_VALUE_LENGTH = 6000;
  public static final int MAX_TAG_VALUE_LENGTH = 8000;
  public static final int MAX_EXPERIMENT_TAG_VALUE_LENGTH = 5000;
  public static final int MAX_EXPERIMENT_NAME_LENGTH = 500;
  public static final int MAX_RUN_NAME_LENGTH = 250;
  public static final int MAX_BATCH_METRICS = 1000;
  public static final int MAX_BATCH_PARAMS = 100;
  public static final int MAX_BATCH_TAGS = 100;
  public static final int MAX_BATCH_ITEMS = 1000;

  private static final Pattern KEY =
      Pattern.compile("^[/\\w.\\- :]*$", Pattern.UNICODE_CHARACTER_CLASS);
  private static final Pattern RUN_ID = Pattern.compile("^[a-zA-Z0-9][\\w\\-]{0,255}$");
  private static final Pattern EXPERIMENT_ID = Pattern.compile("^[a-zA-Z0-9][\\w\\-]{0,63}$");

  private Validation() {}

  public static void metricKey(String key) {
    key("metric", key);
  }

  public static void paramKey(String key) {
    key("param", key);
  }

  public static void tagKey(String key) {
    key("tag", key);
  }

  /**
   * A metric, param or tag key: at most 250 characters of letters, digits, {@code _ - . : / } and
   * spaces, that a file system would not resolve to another name ({@code a/../b}, {@code /a}, {@code a/}).
   */
  static void key(String kind, String key) {
    if (key == null) {
      throw TrackingErrors.missing("key");
    }
    if (key.length() > MAX_KEY_LENGTH) {
      throw TrackingErrors.invalid(
          "Invalid " + kind + " name '" + abbreviate(key) + "': it has " + key.length()
              + " characters, more than the limit of " + MAX_KEY_LENGTH + ". Use a shorter key.");
    }
    if (!KEY.matcher(key).matches()) {
      throw TrackingErrors.invalid(
          "Invalid " + kind + " name '" + key + "'. Names may only contain alphanumerics,"
              + " underscores (_), dashes (-), periods (.), spaces ( ), colons (:) and slashes (/).");
    }
    String normalized = normalizePath(key);
    if (!normalized.equals(key)
        || normalized.equals(".")
        || normalized.startsWith("..")
        || normalized.startsWith("/")) {
      throw TrackingErrors.invalid(
          "Invalid " + kind + " name '" + key + "'. Names may be treated as files in certain cases,"
              + " and must not resolve to other names when treated as such. This name would resolve"
              + " to '" + normalized + "': remove leading slashes, '..' and '.' segments, and"
              + " repeated or trailing slashes.");
    }
  }

  public static void metric(Metric metric) {
    if (metric == null) {
      throw TrackingErrors.missing("metric");
    }
    metricKey(metric.key());
  }

  public static void param(Param param) {
    if (param == null) {
      throw TrackingErrors.missing("param");
    }
    paramKey(param.key());
    if (param.value() == null) {
      throw TrackingErrors.missing("value");
    }
    valueLength("param", param.key(), param.value(), MAX_PARAM_VALUE_LENGTH);
  }

  public static void tag(RunTag tag) {
    if (tag == null) {
      throw TrackingErrors.missing("tag");
    }
    tagKey(tag.key());
    if (tag.value() == null) {
      throw TrackingErrors.missing("value");
    }
    valueLength("tag", tag.key(), tag.value(), MAX_TAG_VALUE_LENGTH);
  }

  public static void experimentTag(String key, String value) {
    tagKey(key);
    if (value == null) {
      throw TrackingErrors.missing("value");
    }
    valueLength("experiment tag", key, value, MAX_EXPERIMENT_TAG_VALUE_LENGTH);
  }

  public static void experimentName(String name) {
    if (name == null) {
      throw TrackingErrors.missing("name");
    }
    if (name.isBlank()) {
      throw TrackingErrors.invalid(
          "Invalid experiment name '" + name + "': it must not be empty or blank.");
    }
    if (name.length() > MAX_EXPERIMENT_NAME_LENGTH) {
      throw TrackingErrors.invalid(
          "Invalid experiment name '" + abbreviate(name) + "': it has " + name.length()
              + " characters, more than the limit of " + MAX_EXPERIMENT_NAME_LENGTH + ".");
    }
  }

  public static void runName(String name) {
    if (name != null && name.length() > MAX_RUN_NAME_LENGTH) {
      throw TrackingErrors.invalid(
          "Invalid run name '" + abbreviate(name) + "': it has " + name.length()
              + " characters, more than the limit of " + MAX_RUN_NAME_LENGTH + ".");
    }
  }

  public static void runId(String runId) {
    if (runId == null) {
      throw TrackingErrors.missing("run_id");
    }
    if (!RUN_ID.matcher(runId).matches()) {
      throw TrackingErrors.invalid(
          "Invalid run ID '" + abbreviate(runId) + "': a run id is 1 to 256 letters, digits, '_' or"
              + " '-', starting with a letter or digit.");
    }
  }

  public static void experimentId(String experimentId) {
    if (experimentId == null) {
      throw TrackingErrors.missing("experiment_id");
    }
    if (!EXPERIMENT_ID.matcher(experimentId).matches()) {
      throw TrackingErrors.invalid(
          "Invalid experiment ID '" + abbreviate(experimentId) + "': an experiment id is 1 to 64"
              + " letters, digits, '_' or '-', starting with a letter or digit.");
    }
  }

  /**
   * MLflow's limits on one {@code log_batch} call, then each item's own rules. Duplicate param keys are
   * rejected, as MLflow does, because only one value per key can be kept.
   */
  public static void batch(List<Metric> metrics, List<Param> params, List<RunTag> tags) {
    int nm = metrics.size();
    int np = params.size();
    int nt = tags.size();
    if (nm > MAX_BATCH_METRICS) {
      throw TrackingErrors.invalid(tooMany("metrics", nm, MAX_BATCH_METRICS));
    }
    if (np > MAX_BATCH_PARAMS) {
      throw TrackingErrors.invalid(tooMany("params", np, MAX_BATCH_PARAMS));
    }
    if (nt > MAX_BATCH_TAGS) {
      throw TrackingErrors.invalid(tooMany("tags", nt, MAX_BATCH_TAGS));
    }
    if (nm + np + nt > MAX_BATCH_ITEMS) {
      throw TrackingErrors.invalid(
          "A batch logging request can contain at most " + MAX_BATCH_ITEMS + " metrics, params"
              + " and tags in total. Got " + (nm + np + nt) + " (" + nm + " metrics, " + np
              + " params, " + nt + " tags). Split them across several requests.");
    }
    metrics.forEach(Validation::metric);
    params.forEach(Validation::param);
    tags.forEach(Validation::tag);
    Map<String, String> seen = new HashMap<>();
    for (Param p : params) {
      if (seen.putIfAbsent(p.key(), p.value()) != null) {
        throw TrackingErrors.invalid(
            "Duplicate parameter key '" + p.key() + "' in one batch. Send one value per param"
                + " key.");
      }
    }
  }

  private static String tooMany(String what, int got, int limit) {
    return "A batch logging request can contain at most " + limit + " " + what + ". Got " + got
        + " " + what + ". Split them across several requests.";
  }

  private static void valueLength(String kind, String key, String value, int limit) {
    if (value.length() > limit) {
      throw TrackingErrors.invalid(
          "The value of " + kind + " '" + key + "' has " + value.length() + " characters, more than"
              + " the limit of " + limit + ". Shorten it, or log long text as an artifact.");
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }

  /** POSIX path normalisation as Python's {@code posixpath.normpath}, which MLflow's rule uses. */
  static String normalizePath(String path) {
    if (path.isEmpty()) {
      return ".";
    }
    int initialSlashes = 0;
    if (path.startsWith("/")) {
      initialSlashes = path.startsWith("//") && !path.startsWith("///") ? 2 : 1;
    }
    Deque<String> parts = new ArrayDeque<>();
    for (String part : path.split("/", -1)) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (!part.equals("..")
          || (initialSlashes == 0 && parts.isEmpty())
          || (!parts.isEmpty() && parts.peekLast().equals(".."))) {
        parts.addLast(part);
      } else if (!parts.isEmpty()) {
        parts.removeLast();
      }
    }
    String joined = "/".repeat(initialSlashes) + String.join("/", parts);
    return joined.isEmpty() ? "." : joined;
  }
}
