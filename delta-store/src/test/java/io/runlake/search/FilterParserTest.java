package io.runlake.search;

import static io.runlake.testing.Errors.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.runlake.errors.ErrorCode;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class FilterParserTest {

  private static Identifier id(EntityType t, String key) {
    return new Identifier(t, key);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "metrics.auc > 0.9                 | METRIC    | auc",
        "metric.auc > 0.9                  | METRIC    | auc",
        "METRICS.auc > 0.9                 | METRIC    | auc",
        "params.model = 'gbt'              | PARAM     | model",
        "param.model = 'gbt'               | PARAM     | model",
        "parameters.model = 'gbt'          | PARAM     | model",
        "parameter.model = 'gbt'           | PARAM     | model",
        "tags.team = 'ml'                  | TAG       | team",
        "tag.team = 'ml'                   | TAG       | team",
        "attributes.status = 'FINISHED'    | ATTRIBUTE | status",
        "attribute.status = 'FINISHED'     | ATTRIBUTE | status",
        "attr.status = 'FINISHED'          | ATTRIBUTE | status",
        "run.status = 'FINISHED'           | ATTRIBUTE | status",
        "status = 'FINISHED'               | ATTRIBUTE | status",
        "attributes.created > 5            | ATTRIBUTE | start_time",
        "created > 5                       | ATTRIBUTE | start_time",
        "attributes.`run name` = 'x'       | ATTRIBUTE | run_name",
        "attributes.`Run name` = 'x'       | ATTRIBUTE | run_name",
        "run_name = 'x'                    | ATTRIBUTE | run_name",
        "`status` = 'x'                    | ATTRIBUTE | status",
        "metrics.`val loss` < 1            | METRIC    | val loss",
        "metrics.\"val loss\" < 1          | METRIC    | val loss",
        "`metrics`.`val loss` < 1          | METRIC    | val loss",
        "`metrics`.auc < 1                 | METRIC    | auc",
        "params.a.b = 'x'                  | PARAM     | a.b",
        "params.`a.b` = 'x'                | PARAM     | a.b",
        "tags.mlflow.runName = 'x'         | TAG       | mlflow.runName",
        "tags.`mlflow.runName` = 'x'       | TAG       | mlflow.runName",
        "metrics.`a``b` > 1                | METRIC    | a`b",
        "metrics.`train/loss` > 1          | METRIC    | train/loss",
        "metrics.`k:v` > 1                 | METRIC    | k:v",
        "metrics.`a-b` > 1                 | METRIC    | a-b",
        "metrics.1st > 1                   | METRIC    | 1st",
        "datasets.name = 'train'           | DATASET   | name",
        "dataset.digest = 'd1'             | DATASET   | digest",
        "datasets.context = 'training'     | DATASET   | context",
        "metrics.日本 > 1                  | METRIC    | 日本",
      })
  void parsesIdentifiers(String filter, EntityType type, String key) {
    Filter f = Filter.parse(filter);
    assertThat(f).isInstanceOf(Filter.Comparison.class);
    assertThat(((Filter.Comparison) f).identifier()).isEqualTo(id(type, key));
    assertThat(Filter.parse(f.toString())).isEqualTo(f);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "metrics.m = 1     | EQ",
        "metrics.m == 1    | EQ",
        "metrics.m != 1    | NEQ",
        "metrics.m <> 1    | NEQ",
        "metrics.m > 1     | GT",
        "metrics.m >= 1    | GTE",
        "metrics.m < 1     | LT",
        "metrics.m <= 1    | LTE",
        "params.p LIKE 'a%'   | LIKE",
        "params.p like 'a%'   | LIKE",
        "params.p ILIKE 'a%'  | ILIKE",
        "params.p iLike 'a%'  | ILIKE",
        "status IN ('A', 'B')     | IN",
        "status in ('A')          | IN",
        "status NOT IN ('A', 'B') | NOT_IN",
        "status not in ('A')      | NOT_IN",
      })
  void parsesComparators(String filter, Comparator op) {
    Filter.Comparison c = (Filter.Comparison) Filter.parse(filter);
    assertThat(c.comparator()).isEqualTo(op);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "metrics.m > 0.5   | 0.5",
        "metrics.m > -2    | -2",
        "metrics.m > +3    | 3",
        "metrics.m > 1e3   | 1E+3",
        "metrics.m > 1.5E-2 | 0.015",
        "metrics.m > .25   | 0.25",
        "metrics.m > 10    | 10",
      })
  void parsesNumbers(String filter, String expected) {
    Value.Number n = (Value.Number) ((Filter.Comparison) Filter.parse(filter)).value();
    assertThat(n.number()).isEqualByComparingTo(new BigDecimal(expected));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '~',
      value = {
        "params.p = 'plain'          | plain",
        "params.p = \"double\"       | double",
        "params.p = 'it''s'          | it's",
        "params.p = \"say \"\"hi\"\"\" | say \"hi\"",
        "params.p = \"it's\"         | it's",
        "params.p = 'say \"hi\"'     | say \"hi\"",
        "params.p = ''               | ~~",
        "params.p = 'a AND b'        | a AND b",
        "params.p = ' OR 1=1 --'     | ~ OR 1=1 --~",
        "params.p = 'semi;colon'     | semi;colon",
        "params.p = 'back`tick'      | back`tick",
      })
  void parsesStrings(String filter, String expected) {
    String text = ((Value.Text) ((Filter.Comparison) Filter.parse(filter)).value()).text();
    assertThat(text).isEqualTo(expected == null ? "" : expected);
  }

  @Test
  void parsesInLists() {
    Filter.Comparison c = (Filter.Comparison) Filter.parse("run_id IN ('a', \"b\", 'c''d')");
    assertThat(c.value()).isEqualTo(new Value.TextList(List.of("a", "b", "c'd")));
  }

  @Test
  void parsesIsNull() {
    assertThat(Filter.parse("params.p IS NULL")).isEqualTo(new Filter.IsNull(id(EntityType.PARAM, "p"), false));
    assertThat(Filter.parse("tags.t is not null")).isEqualTo(new Filter.IsNull(id(EntityType.TAG, "t"), true));
  }

  @Test
  void andBindsTighterThanOr() {
    Filter f = Filter.parse("metrics.a > 1 OR metrics.b > 2 AND metrics.c > 3");
    assertThat(f).isInstanceOf(Filter.Or.class);
    assertThat(((Filter.Or) f).operands().get(1)).isInstanceOf(Filter.And.class);
    assertThat(f.toString()).isEqualTo("metrics.a > 1 OR (metrics.b > 2 AND metrics.c > 3)");
  }

  @Test
  void parenthesesAndNotGroup() {
    Filter f = Filter.parse("NOT (metrics.a > 1 OR params.b = 'x') and tags.c != 'y'");
    assertThat(f).isInstanceOf(Filter.And.class);
    assertThat(((Filter.And) f).operands().get(0)).isInstanceOf(Filter.Not.class);
    assertThat(Filter.parse(f.toString())).isEqualTo(f);
  }

  @Test
  void notLikeIsNotOfLike() {
    Filter f = Filter.parse("params.p NOT LIKE 'a%'");
    assertThat(f).isEqualTo(new Filter.Not(new Filter.Comparison(id(EntityType.PARAM, "p"), Comparator.LIKE, new Value.Text("a%"))));
  }

  @Test
  void emptyFilterMatchesAll() {
    assertThat(Filter.parse(null)).isInstanceOf(Filter.All.class);
    assertThat(Filter.parse("   ")).isInstanceOf(Filter.All.class);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "metrics.auc > 0.9 AND params.model = 'gbt'",
        "metrics.`val loss` <= -1.5E+2 OR tags.`a b` LIKE '%x_'",
        "NOT (status IN ('FAILED', 'KILLED') OR params.p IS NULL)",
        "attributes.run_name ILIKE 'lr%' AND datasets.context = 'training'",
        "params.q = 'it''s' AND tags.t = 'say \"hi\"'",
        "((metrics.a > 1))",
        "metrics.a > 1 and metrics.b < 2 and metrics.c = 3",
        "start_time >= 1700000000000 AND end_time < 1800000000000",
        "run_id NOT IN ('a', 'b')",
      })
  void toStringParsesBackToTheSameTree(String filter) {
    Filter f = Filter.parse(filter);
    assertThat(Filter.parse(f.toString())).isEqualTo(f);
    assertThat(Filter.parse(f.toString()).toString()).isEqualTo(f.toString());
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '~',
      value = {
        "metrics.auc >                 | expected a number to compare metric 'auc' with, at the end",
        "metrics.auc > 'high'          | metric 'auc' is numeric: compare it with a bare number, without quotes",
        "metrics.auc LIKE 'x'          | comparator LIKE is not supported for metric 'auc'",
        "metrics.auc IS NULL           | IS NULL is not supported for metric 'auc'",
        "params.p > 1                  | comparator > is not supported for param 'p'",
        "params.p = 1                  | param 'p' is compared with a quoted string",
        "params.p IN ('a')             | comparator IN is not supported for param 'p'",
        "params.p = 'open             | this string is never closed: add the missing '",
        "params.`open = 'x'            | this quoted key is never closed",
        "params = 'x'                  | expected '.' and a key after 'params'",
        "foo.bar = 'x'                 | unknown entity 'foo'",
        "colour = 'red'                | invalid attribute key 'colour'",
        "attributes.colour = 'red'     | invalid attribute key 'colour'",
        "datasets.size = 'x'           | invalid dataset field 'size'",
        "status > 'A'                  | comparator > is not supported for attribute status",
        "start_time = 'yesterday'      | attribute start_time is numeric",
        "status IN 'A'                 | expected '(' and a list of quoted strings after IN",
        "status IN ('A',)              | each item of an IN list must be a quoted string",
        "status IN ('A' 'B')           | expected ',' or ')' in the IN list",
        "metrics.a > 1 AND             | expected a comparison such as metrics.auc > 0.9, at the end",
        "metrics.a > 1 metrics.b > 2   | expected AND, OR or the end of the filter",
        "(metrics.a > 1                | expected ')' to close the '(' opened before",
        "metrics.a > 1)                | expected AND, OR or the end of the filter",
        "metrics.a ~ 1                 | expected a comparator",
        "params.p NOT = 'x'            | NOT here must be followed by IN, LIKE or ILIKE",
        "params.p IS 'x'               | expected NULL after IS",
        "metrics.val-loss > 1          | a key containing '-' must be quoted in backticks",
        "metrics.a > 1; DROP TABLE runs | expected AND, OR or the end of the filter",
        "metrics.`` > 1                | a quoted key must not be empty",
        "metrics.a > 1e                | expected a number to compare metric 'a' with",
        "metrics.a > 1.2.3             | expected a number to compare metric 'a' with",
        "metrics.a > 12abc             | expected a number to compare metric 'a' with",
        "= 1                           | expected an identifier",
        "AND metrics.a > 1             | invalid attribute key 'AND'",
      })
  void rejectsMalformedFiltersSayingWhatAndWhere(String filter, String message) {
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> Filter.parse(filter))
        .hasMessageStartingWith("Invalid filter \"" + filter + "\": ")
        .hasMessageContaining(message);
  }

  @Test
  void errorsPointAtThePosition() {
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> Filter.parse("metrics.a > 1 AND params.p > 2"))
        .hasMessage(
            "Invalid filter \"metrics.a > 1 AND params.p > 2\": comparator > is not supported for param"
                + " 'p'; use one of [=, !=, LIKE, ILIKE], at position 28 ('> 2').");
  }

  @Test
  void experimentsHaveTheirOwnKeys() {
    Filter f = Filter.parse("name LIKE 'q%' AND tags.team = 'ml' AND creation_time > 5", SearchSchema.EXPERIMENTS);
    assertThat(Filter.parse(f.toString(), SearchSchema.EXPERIMENTS)).isEqualTo(f);
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> Filter.parse("metrics.a > 1", SearchSchema.EXPERIMENTS))
        .hasMessageContaining("metrics cannot be used to search experiments");
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> Filter.parse("status = 'x'", SearchSchema.EXPERIMENTS))
        .hasMessageContaining("invalid attribute key 'status'");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "metrics.auc DESC     | METRIC    | auc        | false",
        "metrics.auc          | METRIC    | auc        | true",
        "metrics.auc asc      | METRIC    | auc        | true",
        "params.`a b` DESC    | PARAM     | a b        | false",
        "start_time           | ATTRIBUTE | start_time | true",
        "attributes.created desc | ATTRIBUTE | start_time | false",
        "tags.t DESC          | TAG       | t          | false",
      })
  void parsesOrderBy(String clause, EntityType type, String key, boolean ascending) {
    assertThat(OrderBy.parse(clause, SearchSchema.RUNS)).isEqualTo(new OrderBy(id(type, key), ascending));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"", "metrics.auc sideways", "datasets.name", "metrics.auc DESC, start_time", "colour"})
  void rejectsMalformedOrderBy(String clause) {
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> OrderBy.parse(clause, SearchSchema.RUNS))
        .hasMessageStartingWith("Invalid order_by clause \"" + clause + "\": ");
  }
}
