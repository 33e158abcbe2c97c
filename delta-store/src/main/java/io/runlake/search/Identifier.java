package io.runlake.search;

import java.util.regex.Pattern;

/**
 * A metric, param, tag, attribute or dataset field named in a filter or order_by: {@code metrics.auc},
 * {@code params.`max depth`}, {@code attributes.status}, {@code datasets.name}. Attribute keys are
 * canonical ({@code created} is stored as {@code start_time}).
 */
public record Identifier(EntityType type, String key) {
  private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z0-9_]+)*");

  /** Valid filter syntax: the key is backticked when it is not a plain dotted name. */
  @Override
  public String toString() {
    return type.prefix() + "." + quoteIfNeeded(key);
  }

  static String quoteIfNeeded(String key) {
    return PLAIN_KEY.matcher(key).matches() ? key : "`" + key.replace("`", "``") + "`";
  }
}
