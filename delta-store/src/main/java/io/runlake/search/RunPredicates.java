package io.runlake.search;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.exists;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;

/**
 * Compiles filters and order_by clauses to Spark {@link Column}s over the shape of the {@code runs}
 * view: attribute columns, {@code params}, {@code tags} and {@code metrics} maps, and the
 * {@code inputs} array of dataset structs. Every user value becomes a literal; no user text reaches
 * SQL.
 *
 * <p>Semantics are MLflow's: a comparison on a metric, param or tag the run never logged is false
 * (so is {@code !=}); {@code IS NULL} is true exactly then. NaN metrics follow IEEE rules: every
 * comparison with NaN is false except {@code !=}. {@code =} and {@code LIKE} are case-sensitive,
 * {@code ILIKE} is not. A dataset comparison is true when any of the run's dataset inputs satisfies it.
 */
public final class RunPredicates {
  private RunPredicates() {}

  /** The predicate of {@code filter}; never null (the empty filter is {@code true}). */
  public static Column compile(Filter filter) {
    if (filter instanceof Filter.All) {
      return lit(true);
    }
    if (filter instanceof Filter.And and) {
      return balanced(and.operands().stream().map(RunPredicates::compile).toList(), true);
    }
    if (filter instanceof Filter.Or or) {
      return balanced(or.operands().stream().map(RunPredicates::compile).toList(), false);
    }
    if (filter instanceof Filter.Not n) {
      return not(compile(n.operand()));
    }
    if (filter instanceof Filter.IsNull isNull) {
      Column v = value(isNull.identifier());
      return isNull.negated() ? v.isNotNull() : v.isNull();
    }
    // A comparison on a key the run never logged is unknown in SQL; MLflow says the run does not
    // match, so unknown becomes false (which also makes NOT of it true).
    return coalesce(comparison((Filter.Comparison) filter), lit(false));
  }

  /**
   * Joins many operands as a balanced tree: Spark analyses expressions recursively, and a chain of a
   * few thousand ANDs would exhaust its stack.
   */
  private static Column balanced(List<Column> operands, boolean and) {
    if (operands.size() == 1) {
      return operands.get(0);
    }
    int mid = operands.size() / 2;
    Column left = balanced(operands.subList(0, mid), and);
    Column right = balanced(operands.subList(mid, operands.size()), and);
    return and ? left.and(right) : left.or(right);
  }

  private static Column comparison(Filter.Comparison c) {
    Identifier id = c.identifier();
    if (id.type() == EntityType.DATASET) {
      String field = id.key();
      return exists(col("inputs"), d -> compare(d.getField(field), c.comparator(), c.value(), false));
    }
    Column v = value(id);
    boolean isMetric = id.type() == EntityType.METRIC;
    return v.isNotNull().and(compare(v, c.comparator(), c.value(), isMetric));
  }

  private static Column compare(Column v, Comparator op, Value value, boolean nanAware) {
    Object literal;
    if (value instanceof Value.Number n) {
      literal = n.longValue() != null && !nanAware ? n.longValue() : n.doubleValue();
    } else if (value instanceof Value.Text t) {
      literal = t.text();
    } else {
      literal = ((Value.TextList) value).items();
    }
    Column isNaN = nanAware ? isnan(v) : lit(false);
    return switch (op) {
      case EQ -> not(isNaN).and(v.equalTo(lit(literal)));
      case NEQ -> isNaN.or(v.notEqual(lit(literal)));
      case GT -> not(isNaN).and(v.gt(lit(literal)));
      case GTE -> not(isNaN).and(v.geq(lit(literal)));
      case LT -> not(isNaN).and(v.lt(lit(literal)));
      case LTE -> not(isNaN).and(v.leq(lit(literal)));
      case LIKE -> v.like((String) literal);
      case ILIKE -> v.ilike((String) literal);
      case IN -> v.isin(((List<?>) literal).toArray());
      case NOT_IN -> not(v.isin(((List<?>) literal).toArray()));
    };
  }

  /** The column holding an identifier's value in a runs-shaped frame. */
  static Column value(Identifier id) {
    return switch (id.type()) {
      case METRIC -> col("metrics").getItem(id.key());
      case PARAM -> col("params").getItem(id.key());
      case TAG -> col("tags").getItem(id.key());
      case ATTRIBUTE -> col(id.key());
      case DATASET -> throw new IllegalArgumentException("datasets have no single value: " + id);
    };
  }

  /**
   * The sort keys of an order: for each clause a "missing" rank (0 present, 1 null or NaN, so missing
   * values come last either way) and the value itself, then the default order's keys as tie-breakers.
   * Each key is never null, which makes keyset paging a plain lexicographic comparison.
   */
  public static List<SortKey> sortKeys(List<OrderBy> order) {
    List<OrderBy> all = new ArrayList<>(order);
    for (OrderBy d : OrderBy.DEFAULT_RUN_ORDER) {
      if (all.stream().noneMatch(o -> o.identifier().equals(d.identifier()))) {
        all.add(d);
      }
    }
    List<SortKey> keys = new ArrayList<>();
    for (OrderBy o : all) {
      Column v = value(o.identifier());
      boolean number =
          o.identifier().type() == EntityType.METRIC
              || (o.identifier().type() == EntityType.ATTRIBUTE
                  && SearchSchema.RUNS.kind(o.identifier().key()) == SearchSchema.Kind.NUMBER);
      Column missing = number ? v.isNull().or(isnan(v.cast("double"))) : v.isNull();
      keys.add(new SortKey(when(missing, lit(1)).otherwise(lit(0)), true, SortKey.Type.INT));
      Column filled =
          number
              ? when(missing, lit(0.0)).otherwise(v.cast("double"))
              : when(missing, lit("")).otherwise(v.cast("string"));
      keys.add(new SortKey(filled, o.ascending(), number ? SortKey.Type.DOUBLE : SortKey.Type.STRING));
    }
    return keys;
  }
}
