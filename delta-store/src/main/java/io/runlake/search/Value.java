package io.runlake.search;

import java.math.BigDecimal;
import java.util.List;
import java.util.stream.Collectors;

/** A literal in a filter: a number, a string, or the parenthesised list of strings of an IN. */
public sealed interface Value {

  /** A number as written; {@link #doubleValue()} and {@link #longValue()} give it typed. */
  record Number(BigDecimal number) implements Value {
    public double doubleValue() {
      return number.doubleValue();
    }

    /** The value as a whole number, or null if it has a fraction or is out of range. */
    public Long longValue() {
      try {
        return number.longValueExact();
      } catch (ArithmeticException e) {
        return null;
      }
    }

    @Override
    public String toString() {
      return number.toString();
    }
  }

  record Text(String text) implements Value {
    @Override
    public String toString() {
      return quote(text);
    }
  }

  record TextList(List<String> items) implements Value {
    public TextList {
      items = List.copyOf(items);
    }

    @Override
    public String toString() {
      return items.stream().map(Value::quote).collect(Collectors.joining(", ", "(", ")"));
    }
  }

  /** Single quotes, a single quote inside doubled, as in SQL. */
  static String quote(String s) {
    return "'" + s.replace("'", "''") + "'";
  }
}
