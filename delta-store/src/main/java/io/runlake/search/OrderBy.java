package io.runlake.search;

import java.util.List;

/**
 * One {@code order_by} clause: {@code metrics.auc DESC}. Missing values (and NaN) sort last in either
 * direction, as in MLflow.
 */
public record OrderBy(Identifier identifier, boolean ascending) {

  /** MLflow's default order of runs: newest first, then run id. */
  public static final List<OrderBy> DEFAULT_RUN_ORDER =
      List.of(
          new OrderBy(new Identifier(EntityType.ATTRIBUTE, "start_time"), false),
          new OrderBy(new Identifier(EntityType.ATTRIBUTE, "run_id"), true));

  /**
   * Parses {@code <identifier> [ASC|DESC]} against {@code schema}.
   *
   * @throws io.runlake.errors.RunlakeException INVALID_PARAMETER_VALUE for anything else
   */
  public static OrderBy parse(String clause, SearchSchema schema) {
    return FilterParser.forOrderBy(clause, schema).parseOrderBy();
  }

  @Override
  public String toString() {
    return identifier + (ascending ? " ASC" : " DESC");
  }
}
