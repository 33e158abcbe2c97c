package io.runlake.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.runlake.errors.ErrorCode;
import io.runlake.errors.RunlakeException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.junit.jupiter.api.Test;

/**
 * Malformed and injection-shaped filters, generated: each must either be refused with
 * INVALID_PARAMETER_VALUE and a message about the filter, or parse into a predicate whose Spark plan
 * holds only the expressions a filter compiles to, and which selects the same runs in Spark as in
 * memory.
 */
class HostileFilterTest {

  private static final List<String> SEEDS =
      List.of(
          "params.model = 'gbt'",
          "metrics.auc > 0.9 AND params.model = 'gbt'",
          "tags.team LIKE 'vis%' OR status IN ('FAILED', 'KILLED')",
          "NOT (metrics.`val loss` <= 2 AND attributes.run_name ILIKE 'r%')",
          "datasets.name = 'train' AND start_time > 1000",
          "params.`a.b` IS NOT NULL");

  private static final List<String> FRAGMENTS =
      List.of(
          "'", "\"", "`", "(", ")", ";", "--", "/*", "*/", " OR 1=1", " OR '1'='1'", "' OR ''='",
          "; DROP TABLE runs; --", " UNION SELECT * FROM runlake.events", "\\", "%", "_", ",",
          " AND", " OR", " NOT", " IS", " NULL", " IN (", "=", "!=", ">", "<", "\u0000", "\n", "\t",
          "${jndi:ldap://x}", "'); DELETE FROM runs WHERE ('1'='1", "`; DROP TABLE x; `",
          "metrics.", "params.", "tags.`", "1e999", "-", ".", "六", "\uD83D\uDE00", " LIKE ", "ILIKE",
          "CAST(1 AS STRING)", "sleep(10)", "java.lang.Runtime", "`)--", "\") OR (\"1\"=\"1");

  private static final List<String> CLASSICS =
      List.of(
          "params.x = 'a' OR 1=1 --",
          "params.x = 'a' --",
          "params.x = 'a'; DROP TABLE runlake.runs",
          "1=1",
          "' OR '1'='1",
          "params.x = '' OR ''=''",
          "params.x = 'a' OR params.x != 'a' --'",
          "params.`x` = `y`",
          "params.x = 'a' UNION SELECT 1",
          "metrics.m > 0 OR 1",
          "metrics.m > (SELECT 1)",
          "status IN (SELECT status FROM runs)",
          "run_id IN ('a') OR run_id NOT IN ('a')",
          "tags.`mlflow.runName` = 'x' /* comment */",
          "params.p = 'x'\u0000",
          "(".repeat(5000) + "status = 'x'" + ")".repeat(5000),
          "NOT ".repeat(5000) + "status = 'x'",
          "params.p = '" + "x".repeat(100_000) + "'",
          "metrics.m > 1" + " AND metrics.m > 1".repeat(2000),
          "params.`" + "`".repeat(101) + " = 'x'");

  static final Set<String> ALLOWED_EXPRESSIONS =
      Set.of(
          "Literal", "AttributeReference", "GetMapValue", "EqualTo", "Not", "GreaterThan",
          "GreaterThanOrEqual", "LessThan", "LessThanOrEqual", "And", "Or", "Coalesce", "IsNull",
          "IsNotNull", "IsNaN", "Like", "ILike", "Lower", "In", "InSet", "ArrayExists",
          "LambdaFunction", "NamedLambdaVariable", "GetStructField", "Alias", "Cast");

  @Test
  void hostileFiltersAreRefusedOrCompileToExactlyTheirPredicate() {
    List<String> inputs = generate();
    assertThat(inputs).hasSizeGreaterThanOrEqualTo(300);

    List<String> parsedText = new ArrayList<>();
    List<Filter> parsed = new ArrayList<>();
    int refused = 0;
    for (String input : inputs) {
      try {
        Filter f = Filter.parse(input);
        parsedText.add(input);
        parsed.add(f);
        assertThat(Filter.parse(f.toString())).as("round trip of %s", input).isEqualTo(f);
      } catch (RunlakeException e) {
        refused++;
        assertThat(e.code()).as(input).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
        assertThat(e.getMessage()).as(input).startsWith("Invalid filter \"");
      } catch (RuntimeException | StackOverflowError e) {
        fail("filter " + abbreviate(input) + " failed with " + e);
      }
    }
    assertThat(refused).as("most hostile inputs are refused").isGreaterThan(inputs.size() / 2);
    assertThat(parsed).as("some hostile-looking inputs are valid filters").isNotEmpty();

    Dataset<Row> frame = RunPredicatesTest.fixtureFrame();
    List<Column> columns = new ArrayList<>();
    columns.add(frame.col("run_name"));
    for (int i = 0; i < parsed.size(); i++) {
      columns.add(RunPredicates.compile(parsed.get(i)).as("f" + i));
    }
    Dataset<Row> evaluated = frame.select(columns.toArray(Column[]::new));
    scala.collection.Iterator<Expression> expressions =
        evaluated.queryExecution().analyzed().expressions().iterator();
    while (expressions.hasNext()) {
      expressions.next().foreach(node -> {
        String kind = node.getClass().getSimpleName();
        assertThat(ALLOWED_EXPRESSIONS).as("expression %s in a compiled filter", kind).contains(kind);
        return null;
      });
    }
    List<TreeSet<String>> spark = new ArrayList<>();
    for (int i = 0; i < parsed.size(); i++) {
      spark.add(new TreeSet<>());
    }
    for (Row r : evaluated.collectAsList()) {
      for (int i = 0; i < parsed.size(); i++) {
        if (r.getBoolean(i + 1)) {
          spark.get(i).add(r.getString(0));
        }
      }
    }
    for (int i = 0; i < parsed.size(); i++) {
      TreeSet<String> memory = new TreeSet<>();
      for (RunPredicatesTest.FixtureRun run : RunPredicatesTest.RUNS) {
        if (FilterEvaluator.matches(parsed.get(i), RunPredicatesTest.subject(run))) {
          memory.add(run.name());
        }
      }
      assertThat(spark.get(i)).as(abbreviate(parsedText.get(i))).isEqualTo(memory);
    }
  }

  private static List<String> generate() {
    Set<String> out = new LinkedHashSet<>(CLASSICS);
    Random random = new Random(20261204);
    while (out.size() < 420) {
      String s = SEEDS.get(random.nextInt(SEEDS.size()));
      int edits = 1 + random.nextInt(3);
      for (int e = 0; e < edits; e++) {
        int at = random.nextInt(s.length() + 1);
        switch (random.nextInt(4)) {
          case 0 -> s = s.substring(0, at) + FRAGMENTS.get(random.nextInt(FRAGMENTS.size())) + s.substring(at);
          case 1 -> s = s.substring(0, at) + s.substring(Math.min(s.length(), at + 1 + random.nextInt(4)));
          case 2 -> s = s + FRAGMENTS.get(random.nextInt(FRAGMENTS.size()));
          default -> s = FRAGMENTS.get(random.nextInt(FRAGMENTS.size())) + s;
        }
      }
      out.add(s);
    }
    return new ArrayList<>(out);
  }

  private static String abbreviate(String s) {
    return s.length() <= 120 ? s : s.substring(0, 117) + "...";
  }
}
