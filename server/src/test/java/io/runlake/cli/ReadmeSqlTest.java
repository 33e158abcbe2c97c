package io.runlake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.runlake.testing.SharedSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** The README's SQL examples run as written on the store the quickstart fills. */
class ReadmeSqlTest {

  @Test
  void readmeQueriesRunAsWritten() throws Exception {
    String root = SharedSpark.newDirectory("readme").toString();
    SharedSpark.session();
    assertThat(RunlakeCli.run("quickstart", "--store", root, "--database", "runlake")).isZero();

    List<String> queries = readmeQueries();
    assertThat(queries).hasSize(4);
    List<List<Row>> results = new ArrayList<>();
    for (String q : queries) {
      results.add(SharedSpark.session().sql(q).collectAsList());
    }
    assertThat(results.get(0)).hasSize(4).allSatisfy(r -> assertThat(r.getDouble(2)).isGreaterThan(0.9));
    assertThat(results.get(1)).hasSize(4).extracting(r -> r.getString(1)).containsExactlyInAnyOrder("0.3", "0.1", "0.03", "0.01");
    assertThat(results.get(2)).hasSizeGreaterThan(3);
    assertThat(results.get(2).get(0).getLong(0)).isZero();
    assertThat(results.get(3)).extracting(r -> r.getString(0)).contains("quickstart");
    assertThat(results.get(3)).filteredOn(r -> r.getString(0).equals("quickstart")).first()
        .satisfies(r -> assertThat(r.getString(1)).startsWith("reg="));
  }

  private static List<String> readmeQueries() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    String section = readme.substring(readme.indexOf("## Querying runs with SQL"));
    Matcher block = Pattern.compile("```sql\\n(.*?)```", Pattern.DOTALL).matcher(section);
    assertThat(block.find()).isTrue();
    List<String> queries = new ArrayList<>();
    for (String statement : block.group(1).split(";\\s*\\n")) {
      String sql = statement.lines().filter(l -> !l.strip().startsWith("--")).reduce("", (a, b) -> a + "\n" + b).strip();
      if (!sql.isEmpty()) {
        queries.add(sql);
      }
    }
    return queries;
  }
}
