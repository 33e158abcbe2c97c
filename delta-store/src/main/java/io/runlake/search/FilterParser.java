package io.runlake.search;

import io.runlake.errors.ErrorCode;
import io.runlake.errors.RunlakeException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A recursive-descent parser for the filter language, checking each comparison against a
 * {@link SearchSchema} as it goes so that every error names the position it was found at.
 *
 * <pre>
 * filter     := [or] END
 * or         := and (OR and)*
 * and        := unary (AND unary)*
 * unary      := NOT unary | '(' or ')' | comparison
 * comparison := identifier ( op value | [NOT] (LIKE|ILIKE) string | [NOT] IN '(' string (',' string)* ')'
 *                          | IS [NOT] NULL )
 * identifier := part ('.' part)*        part := name | `backticked` | "double-quoted"
 * </pre>
 *
 * Keywords are case-insensitive. Strings take single or double quotes; a quote of the same kind inside
 * is doubled.
 */
final class FilterParser {
  private final String text;
  private final SearchSchema schema;
  private final String what;
  private int pos;
  private int depth;

  /** Deeper nesting than this is refused, so that no filter can exhaust the parser's stack. */
  static final int MAX_DEPTH = 100;

  FilterParser(String text, SearchSchema schema) {
    this(text, schema, "filter");
  }

  private FilterParser(String text, SearchSchema schema, String what) {
    this.text = text == null ? "" : text;
    this.schema = schema;
    this.what = what;
  }

  static FilterParser forOrderBy(String clause, SearchSchema schema) {
    return new FilterParser(clause, schema, "order_by clause");
  }

  Filter parseFilter() {
    skipSpace();
    if (atEnd()) {
      return new Filter.All();
    }
    Filter f = parseOr();
    skipSpace();
    if (!atEnd()) {
      throw error("expected AND, OR or the end of the filter");
    }
    return f;
  }

  OrderBy parseOrderBy() {
    skipSpace();
    if (atEnd()) {
      throw error("expected an identifier to order by, such as metrics.auc or start_time");
    }
    int start = pos;
    Identifier id = parseIdentifier();
    if (id.type() == EntityType.DATASET) {
      throw errorAt(start, "datasets cannot be ordered by; order by a metric, param, tag or attribute");
    }
    skipSpace();
    boolean ascending = true;
    if (keyword("ASC")) {
      ascending = true;
    } else if (keyword("DESC")) {
      ascending = false;
    }
    skipSpace();
    if (!atEnd()) {
      throw error("expected ASC, DESC or the end of the order_by clause");
    }
    return new OrderBy(id, ascending);
  }

  private Filter parseOr() {
    List<Filter> operands = new ArrayList<>();
    operands.add(parseAnd());
    while (true) {
      skipSpace();
      if (!keyword("OR")) {
        break;
      }
      operands.add(parseAnd());
    }
    return operands.size() == 1 ? operands.get(0) : new Filter.Or(operands);
  }

  private Filter parseAnd() {
    List<Filter> operands = new ArrayList<>();
    operands.add(parseUnary());
    while (true) {
      skipSpace();
      if (!keyword("AND")) {
        break;
      }
      operands.add(parseUnary());
    }
    return operands.size() == 1 ? operands.get(0) : new Filter.And(operands);
  }

  private Filter parseUnary() {
    skipSpace();
    if (atEnd()) {
      throw error("expected a comparison such as metrics.auc > 0.9");
    }
    if (++depth > MAX_DEPTH) {
      throw error("the filter nests NOT and parentheses more than " + MAX_DEPTH + " deep");
    }
    try {
      if (keyword("NOT")) {
        return new Filter.Not(parseUnary());
      }
      if (peek() == '(') {
        pos++;
        Filter inner = parseOr();
        skipSpace();
        expect(')', "expected ')' to close the '(' opened before");
        return inner;
      }
      return parseComparison();
    } finally {
      depth--;
    }
  }

  private Filter parseComparison() {
    int start = pos;
    Identifier id = parseIdentifier();
    skipSpace();
    int opStart = pos;
    if (keyword("IS")) {
      skipSpace();
      boolean negated = keyword("NOT");
      skipSpace();
      if (!keyword("NULL")) {
        throw error("expected NULL after IS" + (negated ? " NOT" : ""));
      }
      if (!schema.allowsIsNull(id.type())) {
        throw errorAt(
            opStart,
            "IS NULL is not supported for " + describe(id) + "; it applies to params and tags");
      }
      return new Filter.IsNull(id, negated);
    }
    boolean not = false;
    int notPos = pos;
    if (keyword("NOT")) {
      not = true;
      skipSpace();
    }
    Comparator op = parseComparator();
    if (op == null) {
      char c = peek();
      if (!not && (c == '-' || c == '/' || c == ':')) {
        throw errorAt(
            start,
            "a key containing '" + c + "' must be quoted in backticks, as in "
                + id.type().prefix() + ".`" + id.key() + c + "...`");
      }
      throw error(
          not
              ? "expected IN, LIKE or ILIKE after NOT"
              : "expected a comparator (=, !=, >, >=, <, <=, LIKE, ILIKE, IN, NOT IN, IS NULL)");
    }
    if (not) {
      if (op == Comparator.IN) {
        op = Comparator.NOT_IN;
        not = false;
      } else if (op != Comparator.LIKE && op != Comparator.ILIKE) {
        throw errorAt(notPos, "NOT here must be followed by IN, LIKE or ILIKE");
      }
    }
    Set<Comparator> allowed = schema.comparators(id);
    if (!allowed.contains(op)) {
      throw errorAt(
          opStart,
          "comparator " + op + " is not supported for " + describe(id) + "; use one of "
              + allowed.stream().map(Comparator::symbol).toList());
    }
    skipSpace();
    Value value = parseValue(id, op);
    Filter comparison = new Filter.Comparison(id, op, value);
    return not ? new Filter.Not(comparison) : comparison;
  }

  private Comparator parseComparator() {
    if (startsWith(">=")) {
      pos += 2;
      return Comparator.GTE;
    }
    if (startsWith("<=")) {
      pos += 2;
      return Comparator.LTE;
    }
    if (startsWith("!=")) {
      pos += 2;
      return Comparator.NEQ;
    }
    if (startsWith("<>")) {
      pos += 2;
      return Comparator.NEQ;
    }
    if (startsWith("=")) {
      pos += startsWith("==") ? 2 : 1;
      return Comparator.EQ;
    }
    if (startsWith(">")) {
      pos++;
      return Comparator.GT;
    }
    if (startsWith("<")) {
      pos++;
      return Comparator.LT;
    }
    if (keyword("LIKE")) {
      return Comparator.LIKE;
    }
    if (keyword("ILIKE")) {
      return Comparator.ILIKE;
    }
    if (keyword("IN")) {
      return Comparator.IN;
    }
    return null;
  }

  private Value parseValue(Identifier id, Comparator op) {
    boolean numeric = numeric(id);
    if (op == Comparator.IN || op == Comparator.NOT_IN) {
      expect('(', "expected '(' and a list of quoted strings after " + op);
      List<String> items = new ArrayList<>();
      while (true) {
        skipSpace();
        items.add(parseString("each item of an " + op + " list must be a quoted string"));
        skipSpace();
        if (peek() == ',') {
          pos++;
          continue;
        }
        expect(')', "expected ',' or ')' in the " + op + " list");
        return new Value.TextList(items);
      }
    }
    if (numeric) {
      if (peek() == '\'' || peek() == '"') {
        throw error(describe(id) + " is numeric: compare it with a bare number, without quotes");
      }
      return new Value.Number(parseNumber(describe(id)));
    }
    return new Value.Text(parseString(describe(id) + " is compared with a quoted string, e.g. 'value'"));
  }

  private boolean numeric(Identifier id) {
    return id.type() == EntityType.METRIC
        || (id.type() == EntityType.ATTRIBUTE
            && schema.kind(id.key()) == SearchSchema.Kind.NUMBER);
  }

  private BigDecimal parseNumber(String what) {
    int start = pos;
    if (peek() == '-' || peek() == '+') {
      pos++;
    }
    while (Character.isDigit(peek()) || peek() == '.') {
      pos++;
    }
    if ((peek() == 'e' || peek() == 'E') && pos > start) {
      pos++;
      if (peek() == '-' || peek() == '+') {
        pos++;
      }
      while (Character.isDigit(peek())) {
        pos++;
      }
    }
    String number = text.substring(start, pos);
    if (!atEnd() && isNamePart(peek())) {
      throw errorAt(start, "expected a number to compare " + what + " with");
    }
    try {
      return new BigDecimal(number);
    } catch (NumberFormatException e) {
      throw errorAt(start, "expected a number to compare " + what + " with");
    }
  }

  private String parseString(String expectation) {
    char quote = peek();
    if (quote != '\'' && quote != '"') {
      throw error(expectation);
    }
    int start = pos;
    pos++;
    StringBuilder out = new StringBuilder();
    while (true) {
      if (atEnd()) {
        throw errorAt(start, "this string is never closed: add the missing " + quote);
      }
      char c = text.charAt(pos++);
      if (c == quote) {
        if (peek() == quote) {
          out.append(quote);
          pos++;
          continue;
        }
        return out.toString();
      }
      out.append(c);
    }
  }

  /** {@code part ('.' part)*}, resolved to an entity and key against the schema. */
  private Identifier parseIdentifier() {
    int start = pos;
    List<String> parts = new ArrayList<>();
    List<Boolean> quoted = new ArrayList<>();
    while (true) {
      char c = peek();
      if (c == '`' || c == '"') {
        parts.add(parseQuotedName(c));
        quoted.add(true);
      } else if (isNamePart(c)) {
        int s = pos;
        while (isNamePart(peek())) {
          pos++;
        }
        parts.add(text.substring(s, pos));
        quoted.add(false);
      } else if (parts.isEmpty()) {
        throw error("expected an identifier such as metrics.auc, params.`my param` or status");
      } else {
        throw error("expected a key after '.'");
      }
      if (peek() != '.') {
        break;
      }
      pos++;
    }
    if (parts.size() == 1) {
      String name = parts.get(0);
      if (!quoted.get(0) && EntityType.ofPrefix(name).isPresent() && !isAttributeName(name)) {
        throw errorAt(start, "expected '.' and a key after '" + name + "', as in " + name + ".key");
      }
      return attribute(name, start);
    }
    String prefix = parts.get(0);
    EntityType type =
        EntityType.ofPrefix(prefix)
            .orElseThrow(
                () ->
                    errorAt(
                        start,
                        "unknown entity '" + prefix + "': use metrics., params., tags., attributes."
                            + (schema.allows(EntityType.DATASET) ? " or datasets." : "")
                            + " (quote keys with special characters in backticks)"));
    if (!schema.allows(type)) {
      throw errorAt(start, type.prefix() + " cannot be used to search " + schema.subject() + "s");
    }
    String key = String.join(".", parts.subList(1, parts.size()));
    if (key.isEmpty()) {
      throw errorAt(start, "the key after '" + prefix + ".' is empty");
    }
    return switch (type) {
      case ATTRIBUTE -> attribute(key, start);
      case DATASET -> {
        if (!schema.isDatasetField(key)) {
          throw errorAt(
              start,
              "invalid dataset field '" + key + "'; valid fields are " + schema.datasetFieldList());
        }
        yield new Identifier(type, key);
      }
      default -> new Identifier(type, key);
    };
  }

  private boolean isAttributeName(String name) {
    return schema.attribute(name).isPresent();
  }

  private Identifier attribute(String name, int start) {
    return new Identifier(
        EntityType.ATTRIBUTE,
        schema
            .attribute(name)
            .orElseThrow(
                () ->
                    errorAt(
                        start,
                        "invalid attribute key '" + name + "'; valid keys are "
                            + schema.attributeList()
                            + ". Metrics, params and tags need their prefix, as in metrics."
                            + name)));
  }

  private String parseQuotedName(char quote) {
    int start = pos;
    pos++;
    StringBuilder out = new StringBuilder();
    while (true) {
      if (atEnd()) {
        throw errorAt(start, "this quoted key is never closed: add the missing " + quote);
      }
      char c = text.charAt(pos++);
      if (c == quote) {
        if (peek() == quote) {
          out.append(quote);
          pos++;
          continue;
        }
        if (out.length() == 0) {
          throw errorAt(start, "a quoted key must not be empty");
        }
        return out.toString();
      }
      out.append(c);
    }
  }

  private String describe(Identifier id) {
    return switch (id.type()) {
      case METRIC -> "metric '" + id.key() + "'";
      case PARAM -> "param '" + id.key() + "'";
      case TAG -> "tag '" + id.key() + "'";
      case DATASET -> "dataset " + id.key();
      case ATTRIBUTE -> "attribute " + id.key();
    };
  }

  /** Consumes a case-insensitive keyword followed by a non-name character. */
  private boolean keyword(String word) {
    int end = pos + word.length();
    if (end > text.length() || !text.regionMatches(true, pos, word, 0, word.length())) {
      return false;
    }
    if (end < text.length() && isNamePart(text.charAt(end))) {
      return false;
    }
    pos = end;
    return true;
  }

  private void expect(char c, String message) {
    skipSpace();
    if (peek() != c) {
      throw error(message);
    }
    pos++;
  }

  private boolean startsWith(String s) {
    return text.startsWith(s, pos);
  }

  private static boolean isNamePart(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }

  private char peek() {
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private boolean atEnd() {
    return pos >= text.length();
  }

  private void skipSpace() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private RunlakeException error(String message) {
    return errorAt(pos, message);
  }

  private RunlakeException errorAt(int at, String message) {
    String where =
        at >= text.length()
            ? "at the end"
            : "at position " + (at + 1) + " ('" + excerpt(at) + "')";
    return new RunlakeException(
        ErrorCode.INVALID_PARAMETER_VALUE,
        "Invalid " + what + " \"" + text + "\": " + message + ", " + where + ".");
  }

  private String excerpt(int at) {
    String rest = text.substring(at);
    return rest.length() <= 20 ? rest : rest.substring(0, 20) + "...";
  }
}
