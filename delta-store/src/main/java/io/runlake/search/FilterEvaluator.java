package io.runlake.search;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Evaluates a filter on one object in memory, with exactly the semantics of {@link RunPredicates}:
 * for small collections (experiments, registered models) and for anything already in memory.
 */
public final class FilterEvaluator {
  private FilterEvaluator() {}

  /** What a filter can ask of the object it is evaluated on. */
  public interface Subject {
    /**
     * The value of a metric (Double), param or tag (String), or attribute (String or Long); null when
     * the object has none.
     */
    Object value(Identifier id);

    /** The dataset inputs, each a map with keys {@code name}, {@code digest}, {@code context}. */
    default List<Map<String, String>> datasets() {
      return List.of();
    }
  }

  public static boolean matches(Filter filter, Subject subject) {
    if (filter instanceof Filter.All) {
      return true;
    }
    if (filter instanceof Filter.And and) {
      return and.operands().stream().allMatch(f -> matches(f, subject));
    }
    if (filter instanceof Filter.Or or) {
      return or.operands().stream().anyMatch(f -> matches(f, subject));
    }
    if (filter instanceof Filter.Not n) {
      return !matches(n.operand(), subject);
    }
    if (filter instanceof Filter.IsNull isNull) {
      return (subject.value(isNull.identifier()) == null) != isNull.negated();
    }
    Filter.Comparison c = (Filter.Comparison) filter;
    if (c.identifier().type() == EntityType.DATASET) {
      return subject.datasets().stream()
          .anyMatch(d -> compare(d.get(c.identifier().key()), c.comparator(), c.value()));
    }
    return compare(subject.value(c.identifier()), c.comparator(), c.value());
  }

  static boolean compare(Object actual, Comparator op, Value value) {
    if (actual == null) {
      return false;
    }
    if (value instanceof Value.Number n) {
      double a = ((Number) actual).doubleValue();
      double b = n.doubleValue();
      return switch (op) {
        case EQ -> a == b;
        case NEQ -> a != b;
        case GT -> a > b;
        case GTE -> a >= b;
        case LT -> a < b;
        case LTE -> a <= b;
        default -> throw new IllegalArgumentException(op + " on a number");
      };
    }
    String a = actual.toString();
    if (value instanceof Value.TextList list) {
      boolean in = list.items().contains(a);
      return op == Comparator.IN ? in : !in;
    }
    String b = ((Value.Text) value).text();
    return switch (op) {
      case EQ -> a.equals(b);
      case NEQ -> !a.equals(b);
      case LIKE -> like(b).matcher(a).matches();
      case ILIKE -> like(b.toLowerCase(Locale.ROOT)).matcher(a.toLowerCase(Locale.ROOT)).matches();
      default -> throw new IllegalArgumentException(op + " on a string");
    };
  }

  /** SQL LIKE as Spark reads it: % any run, _ one character, backslash escapes the next. */
  static Pattern like(String pattern) {
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '\\' && i + 1 < pattern.length()) {
        regex.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
      } else if (c == '%') {
        regex.append(".*");
      } else if (c == '_') {
        regex.append('.');
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }
}
