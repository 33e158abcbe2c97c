package io.runlake.search;

import static org.assertj.core.api.Assertions.assertThat;

import io.runlake.testing.SharedSpark;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The filter semantics, case by case, on six runs: each filter is compiled to a Spark column and
 * evaluated in one Spark job for all cases, and evaluated in memory; both must give the expected runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunPredicatesTest {

  record FixtureRun(
      String name,
      String status,
      String user,
      long start,
      Long end,
      Map<String, Double> metrics,
      Map<String, String> params,
      Map<String, String> tags,
      List<Map<String, String>> datasets) {}

  static final double NAN = Double.NaN;
  static final double INF = Double.POSITIVE_INFINITY;

  static final List<FixtureRun> RUNS =
      List.of(
          new FixtureRun("r1", "FINISHED", "alice", 1000, 2000L,
              map("auc", 0.9, "loss", 0.1), strings("model", "gbt", "depth", "5"),
              strings("team", "Vision", "env", "prod"),
              List.of(strings("name", "train", "digest", "d1", "context", "training"))),
          new FixtureRun("r2", "RUNNING", "bob", 2000, null,
              map("auc", 0.8, "loss", NAN), strings("model", "lr", "depth", "3"),
              strings("team", "vision"), List.of()),
          new FixtureRun("r3", "FAILED", "alice", 3000, 3500L,
              map("auc", 0.95, "loss", -1.5, "val loss", 2.0),
              strings("model", "gbt", "a.b", "x", "with space", "y"),
              strings("team", "NLP", "note", "it's"),
              List.of(strings("name", "train", "digest", "d9", "context", "training"),
                  strings("name", "holdout", "digest", "d3", "context", "evaluation"))),
          new FixtureRun("r4", "KILLED", "carol", 4000, 4100L,
              map("auc", INF), strings("model", "q\"uote"), strings(),
              List.of(strings("name", "eval", "digest", "d2", "context", "evaluation"))),
          new FixtureRun("r5", "FINISHED", "dave", 5000, 6000L,
              map(), strings("depth", "10"), strings("team", "%special_"), List.of()),
          new FixtureRun("r6-六", "SCHEDULED", "alice", 6000, null,
              map("auc", -INF, "loss", 0.0), strings("model", "GBT"), strings("env", "dev"),
              List.of()));

  static Stream<Arguments> cases() {
    return Stream.of(
        // metrics: every comparator, missing keys, NaN and infinities
        c("metrics.auc > 0.85", "r1", "r3", "r4"),
        c("metrics.auc >= 0.9", "r1", "r3", "r4"),
        c("metrics.auc < 0.9", "r2", "r6-六"),
        c("metrics.auc <= 0.9", "r1", "r2", "r6-六"),
        c("metrics.auc = 0.9", "r1"),
        c("metrics.auc != 0.9", "r2", "r3", "r4", "r6-六"),
        c("metrics.auc > 1e308", "r4"),
        c("metrics.auc < -1e308", "r6-六"),
        c("metrics.loss > -100", "r1", "r3", "r6-六"),
        c("metrics.loss < 100", "r1", "r3", "r6-六"),
        c("metrics.loss = 0", "r6-六"),
        c("metrics.loss != 0", "r1", "r2", "r3"),
        c("metrics.loss != 0.1", "r2", "r3", "r6-六"),
        c("metrics.loss >= -1.5", "r1", "r3", "r6-六"),
        c("metrics.loss > -1.5", "r1", "r6-六"),
        c("metrics.missing > 0"),
        c("metrics.missing != 0"),
        c("metrics.`val loss` = 2", "r3"),
        c("metrics.\"val loss\" >= 2.0", "r3"),
        c("metrics.auc > -0.5E1", "r1", "r2", "r3", "r4"),
        c("metrics.auc > .5", "r1", "r2", "r3", "r4"),
        c("metrics.auc > +0.5", "r1", "r2", "r3", "r4"),
        c("metric.auc > 0.9", "r3", "r4"),
        // params
        c("params.model = 'gbt'", "r1", "r3"),
        c("params.model = \"gbt\"", "r1", "r3"),
        c("params.model != 'gbt'", "r2", "r4", "r6-六"),
        c("params.model = 'GBT'", "r6-六"),
        c("params.model LIKE 'g%'", "r1", "r3"),
        c("params.model LIKE 'G%'", "r6-六"),
        c("params.model ILIKE 'g%'", "r1", "r3", "r6-六"),
        c("params.model ILIKE 'GB_'", "r1", "r3", "r6-六"),
        c("params.model LIKE '_b_'", "r1", "r3"),
        c("params.model LIKE '%'", "r1", "r2", "r3", "r4", "r6-六"),
        c("params.model LIKE ''"),
        c("params.model IS NULL", "r5"),
        c("params.model IS NOT NULL", "r1", "r2", "r3", "r4", "r6-六"),
        c("params.depth = '5'", "r1"),
        c("params.depth != '5'", "r2", "r5"),
        c("params.missing = 'x'"),
        c("params.missing != 'x'"),
        c("params.missing IS NULL", "r1", "r2", "r3", "r4", "r5", "r6-六"),
        c("params.a.b = 'x'", "r3"),
        c("params.`a.b` = 'x'", "r3"),
        c("params.`with space` = 'y'", "r3"),
        c("params.model = 'q\"uote'", "r4"),
        c("params.model = \"q\"\"uote\"", "r4"),
        c("parameter.depth = '3'", "r2"),
        c("param.depth = '10'", "r5"),
        c("params.depth = '4'"),
        // tags
        c("tags.team = 'vision'", "r2"),
        c("tags.team = 'Vision'", "r1"),
        c("tags.team ILIKE 'vision'", "r1", "r2"),
        c("tags.team LIKE '%ision'", "r1", "r2"),
        c("tags.team LIKE 'V%'", "r1"),
        c("tags.team != 'NLP'", "r1", "r2", "r5"),
        c("tags.team IS NULL", "r4", "r6-六"),
        c("tags.team IS NOT NULL", "r1", "r2", "r3", "r5"),
        c("tags.team LIKE '\\%%'", "r5"),
        c("tags.team LIKE '%\\_'", "r5"),
        c("tags.team LIKE '%special%'", "r5"),
        c("tags.note = 'it''s'", "r3"),
        c("tags.note = \"it's\"", "r3"),
        c("tags.note LIKE 'it%'", "r3"),
        c("tag.env = 'prod'", "r1"),
        c("tags.env != 'prod'", "r6-六"),
        // string attributes
        c("status = 'FINISHED'", "r1", "r5"),
        c("attributes.status = 'FINISHED'", "r1", "r5"),
        c("attribute.status != 'FINISHED'", "r2", "r3", "r4", "r6-六"),
        c("attr.status IN ('FAILED', 'KILLED')", "r3", "r4"),
        c("run.status NOT IN ('FAILED', 'KILLED')", "r1", "r2", "r5", "r6-六"),
        c("status LIKE 'F%'", "r1", "r3", "r5"),
        c("status ILIKE 'f%'", "r1", "r3", "r5"),
        c("status = 'finished'"),
        c("user_id = 'alice'", "r1", "r3", "r6-六"),
        c("user_id IN ('bob', 'carol')", "r2", "r4"),
        c("run_name = 'r1'", "r1"),
        c("attributes.run_name LIKE 'r%'", "r1", "r2", "r3", "r4", "r5", "r6-六"),
        c("attributes.`run name` = 'r2'", "r2"),
        c("attributes.`Run name` = 'r3'", "r3"),
        c("run_name = 'r6-六'", "r6-六"),
        c("run_name LIKE '%六'", "r6-六"),
        c("run_id = 'id-r1'", "r1"),
        c("run_id IN ('id-r1', 'id-r5', 'nope')", "r1", "r5"),
        c("run_id NOT IN ('id-r1')", "r2", "r3", "r4", "r5", "r6-六"),
        c("artifact_uri LIKE '%/r2/artifacts'", "r2"),
        // numeric attributes
        c("start_time > 3000", "r4", "r5", "r6-六"),
        c("start_time >= 3000", "r3", "r4", "r5", "r6-六"),
        c("start_time < 2000", "r1"),
        c("start_time <= 2000", "r1", "r2"),
        c("start_time = 4000", "r4"),
        c("start_time != 4000", "r1", "r2", "r3", "r5", "r6-六"),
        c("created > 5000", "r6-六"),
        c("attributes.created <= 1000", "r1"),
        c("end_time > 3000", "r3", "r4", "r5"),
        c("end_time != 2000", "r3", "r4", "r5"),
        c("end_time < 100000", "r1", "r3", "r4", "r5"),
        c("start_time > 2500.5", "r3", "r4", "r5", "r6-六"),
        // datasets
        c("datasets.name = 'train'", "r1", "r3"),
        c("datasets.name != 'train'", "r3", "r4"),
        c("datasets.digest = 'd2'", "r4"),
        c("datasets.context = 'evaluation'", "r3", "r4"),
        c("datasets.name IN ('eval', 'holdout')", "r3", "r4"),
        c("datasets.name LIKE 'tr%'", "r1", "r3"),
        c("datasets.context ILIKE 'TRAIN%'", "r1", "r3"),
        c("datasets.name NOT IN ('train')", "r3", "r4"),
        c("datasets.name = 'train' AND datasets.context = 'evaluation'", "r3"),
        // AND (any case), OR, NOT, parentheses
        c("metrics.auc > 0.85 AND params.model = 'gbt'", "r1", "r3"),
        c("metrics.auc > 0.85 and params.model = 'gbt'", "r1", "r3"),
        c("metrics.auc > 0.85 And params.model = 'gbt' AND tags.team = 'NLP'", "r3"),
        c("params.model = 'lr' OR params.depth = '10'", "r2", "r5"),
        c("params.model = 'lr' or status = 'KILLED'", "r2", "r4"),
        c("NOT params.model = 'gbt'", "r2", "r4", "r5", "r6-六"),
        c("not metrics.auc > 0.85", "r2", "r5", "r6-六"),
        c("NOT metrics.missing > 0", "r1", "r2", "r3", "r4", "r5", "r6-六"),
        c("NOT (params.model = 'gbt' OR params.model = 'lr')", "r4", "r5", "r6-六"),
        c("(params.model = 'gbt' OR params.model = 'lr') AND user_id = 'alice'", "r1", "r3"),
        c("params.model = 'gbt' OR params.model = 'lr' AND user_id = 'alice'", "r1", "r3"),
        c("(params.model = 'gbt' OR params.model = 'lr') AND NOT status = 'FAILED'", "r1", "r2"),
        c("NOT NOT status = 'KILLED'", "r4"),
        c("((((status = 'KILLED'))))", "r4"),
        c("status = 'KILLED' OR status = 'SCHEDULED' OR status = 'RUNNING'", "r2", "r4", "r6-六"),
        c("params.model NOT LIKE 'g%'", "r2", "r4", "r5", "r6-六"),
        c("params.model NOT ILIKE 'g%'", "r2", "r4", "r5"),
        c("metrics.auc > 0.85 AND (tags.team IS NULL OR tags.team ILIKE 'vision')", "r1", "r4"),
        // injection-shaped values are just values
        c("params.model = 'gbt'' OR ''1''=''1'"),
        c("params.model = 'gbt; DROP TABLE runs'"),
        c("tags.team = ''' OR 1=1 --'"),
        c("params.`model' OR '1'='1` = 'x'"),
        // empty filter
        c("", "r1", "r2", "r3", "r4", "r5", "r6-六"));
  }

  private static Arguments c(String filter, String... expected) {
    return Arguments.of(filter, new TreeSet<>(List.of(expected)));
  }

  private Map<String, TreeSet<String>> sparkResults;

  @BeforeAll
  void evaluateEveryCaseInOneSparkJob() {
    List<String> filters = cases().map(a -> (String) a.get()[0]).toList();
    Dataset<Row> frame = fixtureFrame();
    List<Column> columns = new ArrayList<>();
    columns.add(frame.col("run_name"));
    for (int i = 0; i < filters.size(); i++) {
      columns.add(RunPredicates.compile(Filter.parse(filters.get(i))).as("f" + i));
    }
    sparkResults = new HashMap<>();
    for (String f : filters) {
      sparkResults.put(f, new TreeSet<>());
    }
    for (Row r : frame.select(columns.toArray(Column[]::new)).collectAsList()) {
      for (int i = 0; i < filters.size(); i++) {
        if (r.getBoolean(i + 1)) {
          sparkResults.get(filters.get(i)).add(r.getString(0));
        }
      }
    }
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("cases")
  void sparkAndMemoryAgreeWithTheExpectedRuns(String filter, TreeSet<String> expected) {
    assertThat(sparkResults.get(filter)).as("Spark").isEqualTo(expected);
    Filter parsed = Filter.parse(filter);
    TreeSet<String> inMemory = new TreeSet<>();
    for (FixtureRun run : RUNS) {
      if (FilterEvaluator.matches(parsed, subject(run))) {
        inMemory.add(run.name());
      }
    }
    assertThat(inMemory).as("in memory").isEqualTo(expected);
  }

  static FilterEvaluator.Subject subject(FixtureRun run) {
    return new FilterEvaluator.Subject() {
      @Override
      public Object value(Identifier id) {
        return switch (id.type()) {
          case METRIC -> run.metrics().get(id.key());
          case PARAM -> run.params().get(id.key());
          case TAG -> run.tags().get(id.key());
          case ATTRIBUTE -> attribute(run, id.key());
          case DATASET -> null;
        };
      }

      @Override
      public List<Map<String, String>> datasets() {
        return run.datasets();
      }
    };
  }

  private static Object attribute(FixtureRun run, String key) {
    return switch (key) {
      case "run_id" -> "id-" + run.name();
      case "run_name" -> run.name();
      case "status" -> run.status();
      case "user_id" -> run.user();
      case "artifact_uri" -> "file:/store/" + run.name() + "/artifacts";
      case "start_time" -> run.start();
      case "end_time" -> run.end();
      default -> throw new IllegalArgumentException(key);
    };
  }

  static Dataset<Row> fixtureFrame() {
    StructType input =
        new StructType()
            .add("name", "string").add("digest", "string").add("source_type", "string")
            .add("source", "string").add("schema", "string").add("profile", "string")
            .add("context", "string");
    StructType schema =
        new StructType()
            .add("run_id", "string").add("run_name", "string").add("status", "string")
            .add("user_id", "string").add("artifact_uri", "string").add("start_time", "long")
            .add("end_time", "long")
            .add("metrics", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType))
            .add("params", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType))
            .add("tags", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType))
            .add("inputs", DataTypes.createArrayType(input));
    List<Row> rows = new ArrayList<>();
    for (FixtureRun r : RUNS) {
      List<Row> inputs = new ArrayList<>();
      for (Map<String, String> d : r.datasets()) {
        inputs.add(RowFactory.create(d.get("name"), d.get("digest"), null, null, null, null, d.get("context")));
      }
      rows.add(
          RowFactory.create(
              "id-" + r.name(), r.name(), r.status(), r.user(), "file:/store/" + r.name() + "/artifacts",
              r.start(), r.end(), r.metrics(), r.params(), r.tags(), inputs));
    }
    return SharedSpark.session().createDataFrame(rows, schema);
  }

  private static Map<String, Double> map(Object... kv) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], ((Number) kv[i + 1]).doubleValue());
    }
    return m;
  }

  private static Map<String, String> strings(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }
}
