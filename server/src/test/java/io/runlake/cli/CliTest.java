package io.runlake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.runlake.delta.DeltaStoreOptions;
import io.runlake.delta.DeltaStores;
import io.runlake.delta.internal.DeltaTrackingStore;
import io.runlake.testing.SharedSpark;
import io.runlake.registry.ModelVersion;
import io.runlake.tracking.Experiment;
import io.runlake.tracking.Run;
import io.runlake.tracking.RunStatus;
import io.runlake.tracking.ViewType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliTest {
  private String root;

  @BeforeAll
  void session() {
    SharedSpark.session();
    root = SharedSpark.newDirectory("cli").toString();
  }

  private record Result(int exit, String out, String err) {}

  private Result cli(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
    try {
      int exit = RunlakeCli.run(args);
      return new Result(exit, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @Test
  void quickstartTrainsTracksSearchesRegistersAndScores() {
    Result r = cli("quickstart", "--store", root, "--database", "cli_quickstart", "--runs", "3", "--rows", "1500");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("runlake quickstart: store " + DeltaStores.qualify(root))
        .contains("3. searchRuns(filter: tags.mlflow.parentRunId = '")
        .containsPattern("(?m)^[0-9a-f]{32}  reg=0\\.\\d+ +FINISHED .*auc=0\\.\\d+")
        .contains("4. Registered the best run's model as quickstart-churn version 1")
        .contains("5. Scored new customers in SQL with models:/quickstart-churn@champion (version 1)")
        .containsPattern("(?m)^customer_id +tenure +support_calls +churn")
        .containsPattern("(?m)^run_name +reg_param +auc")
        .containsPattern("7\\. Fitted a CrossValidator .* run [0-9a-f]{32}, best_regParam=0\\.0?1,")
        .containsPattern("(?m)^run_name +reg_param +avg_auc +std_auc")
        .containsPattern("(?m)^read +delta +0 +\\S+/datasets/customers");

    try (DeltaTrackingStore store =
        DeltaStores.open(
            SharedSpark.session(),
            DeltaStoreOptions.builder(root).database("cli_quickstart_check").shutdownHook(false).build())) {
      Experiment e = store.findExperimentByName("quickstart").orElseThrow();
      List<Run> all = store.searchRuns(List.of(e.experimentId()), null, ViewType.ALL, 100, null, null).items();
      List<Run> autologged = all.stream().filter(run -> run.data().tags().containsKey("runlake.autolog")).toList();
      Run cv = autologged.stream().filter(run -> run.data().params().containsKey("best_regParam")).findFirst().orElseThrow();
      assertThat(cv.data().tags()).containsEntry("runlake.estimator_class", "org.apache.spark.ml.tuning.CrossValidator");
      assertThat(autologged).hasSize(3)
          .filteredOn(run -> run != cv)
          .allSatisfy(child -> assertThat(child.data().tags()).containsEntry("mlflow.parentRunId", cv.info().runId()))
          .allSatisfy(child -> assertThat(child.data().metric("avg_areaUnderROC")).isPresent());
      List<Run> runs = all.stream().filter(run -> !autologged.contains(run)).toList();
      assertThat(runs).hasSize(4).allSatisfy(run -> assertThat(run.info().status()).isEqualTo(RunStatus.FINISHED));
      Run sweep = runs.stream().filter(run -> run.info().runName().equals("sweep")).findFirst().orElseThrow();
      List<Run> trials = runs.stream().filter(run -> run != sweep).toList();
      assertThat(trials)
          .allSatisfy(t -> assertThat(t.data().tags()).containsEntry("mlflow.parentRunId", sweep.info().runId()))
          .allSatisfy(t -> assertThat(t.data().params()).containsKeys("reg_param", "max_iter"))
          .allSatisfy(t -> assertThat(t.data().tags()).containsKey("mlflow.log-model.history"));
      assertThat(store.getMetricHistory(trials.get(0).info().runId(), "loss")).hasSizeGreaterThan(3);
      ModelVersion champion = store.registry().getModelVersionByAlias("quickstart-churn", "champion");
      assertThat(trials).extracting(t -> t.info().runId()).contains(champion.runId());

      Result search = cli("runs", "search", "--store", root, "--database", "cli_quickstart", "-e", "quickstart",
          "-f", "metrics.auc > 0.5", "-o", "metrics.auc DESC");
      assertThat(search.exit()).isZero();
      assertThat(search.out()).contains(champion.runId()).doesNotContain(sweep.info().runId());

      Result sql =
          cli("sql", "--store", root, "--database", "cli_quickstart",
              "SELECT count(*) AS n FROM cli_quickstart.runs WHERE metrics['auc'] > 0.5");
      assertThat(sql.exit()).isZero();
      assertThat(sql.out()).containsPattern("(?m)^n\\s*$").containsPattern("(?m)^3\\s*$");

      String input = SharedSpark.newDirectory("score-in").resolve("customers").toString();
      String output = SharedSpark.newDirectory("score-out").resolve("scored").toString();
      QuickstartCommand.customers(SharedSpark.session(), 50, 1).drop("churned").write().format("delta").save(input);
      Result score = cli("score", "--store", root, "--database", "cli_quickstart", "--model", "models:/quickstart-churn@champion",
          "--input", input, "--output", output, "--job", "nightly");
      assertThat(score.exit()).as(score.err()).isZero();
      assertThat(score.out()).contains("done: 50 rows in, 50 rows out, model quickstart-churn version 1");
      assertThat(SharedSpark.session().read().format("delta").load(output).count()).isEqualTo(50);
      Result badMode = cli("score", "--store", root, "--database", "cli_quickstart", "--model", "models:/quickstart-churn/1",
          "--input", input, "--output", output, "--mode", "upsert");
      assertThat(badMode.exit()).isEqualTo(2);
      assertThat(badMode.err()).contains("Invalid --mode 'upsert'");

      Result stale = cli("runs", "mark-stale", "--store", root, "--database", "cli_quickstart", "--older-than", "1h");
      assertThat(stale.exit()).isZero();
      assertThat(stale.out()).contains("Marked 0 stale run(s) KILLED.");
    }
  }

  @Test
  void reportsBadInputWithTheMlflowCode() {
    Result r = cli("runs", "mark-stale", "--store", root, "--database", "cli_bad", "--older-than", "soon");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .contains("error: INVALID_PARAMETER_VALUE: Invalid duration 'soon': write a number and a unit");
    Result missing = cli("runs", "search", "--store", root, "--database", "cli_bad", "-e", "nope");
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).contains("error: RESOURCE_DOES_NOT_EXIST: No experiment named 'nope'");
  }
}
