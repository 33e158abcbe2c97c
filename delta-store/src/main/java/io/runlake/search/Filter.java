package io.runlake.search;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A parsed run filter: a small tree of comparisons joined by AND, OR and NOT. {@link #parse} reads
 * MLflow's filter syntax (plus OR, NOT and parentheses); {@code toString()} prints valid filter syntax
 * that parses back to an equal tree.
 */
public sealed interface Filter {

  /**
   * Parses a filter string. A null or blank filter matches every run.
   *
   * @throws io.runlake.errors.RunlakeException INVALID_PARAMETER_VALUE saying what is wrong and where
   */
  static Filter parse(String text) {
    return parse(text, SearchSchema.RUNS);
  }

  /** Parses a filter for another kind of search, such as {@link SearchSchema#EXPERIMENTS}. */
  static Filter parse(String text, SearchSchema schema) {
    return new FilterParser(text, schema).parseFilter();
  }

  /** Matches every run: the empty filter. */
  record All() implements Filter {
    @Override
    public String toString() {
      return "";
    }
  }

  /** {@code identifier comparator value}, with the value a number, a string, or a list for IN. */
  record Comparison(Identifier identifier, Comparator comparator, Value value) implements Filter {
    @Override
    public String toString() {
      return identifier + " " + comparator + " " + value;
    }
  }

  /** {@code identifier IS NULL} (or {@code IS NOT NULL} when {@code negated}): the key was never logged. */
  record IsNull(Identifier identifier, boolean negated) implements Filter {
    @Override
    public String toString() {
      return identifier + (negated ? " IS NOT NULL" : " IS NULL");
    }
  }

  record And(List<Filter> operands) implements Filter {
    public And {
      operands = List.copyOf(operands);
    }

    @Override
    public String toString() {
      return operands.stream().map(Filter::grouped).collect(Collectors.joining(" AND "));
    }
  }

  record Or(List<Filter> operands) implements Filter {
    public Or {
      operands = List.copyOf(operands);
    }

    @Override
    public String toString() {
      return operands.stream().map(Filter::grouped).collect(Collectors.joining(" OR "));
    }
  }

  record Not(Filter operand) implements Filter {
    @Override
    public String toString() {
      return "NOT " + grouped(operand);
    }
  }

  private static String grouped(Filter f) {
    return f instanceof Comparison || f instanceof IsNull ? f.toString() : "(" + f + ")";
  }
}
