package io.runlake.delta;

import static org.assertj.core.api.Assertions.assertThat;

import io.runlake.delta.internal.DeltaTrackingStore;
import io.runlake.testing.SharedSpark;
import io.runlake.testing.TestStores;
import io.runlake.tracking.Metric;
import io.runlake.tracking.Param;
import io.runlake.tracking.RunStatus;
import io.runlake.tracking.RunTag;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class SqlViewsTest {

  @Test
  void tablesAndViewsAreInTheCatalogAndQueryableWithSql() {
    SparkSession spark = SharedSpark.session();
    try (DeltaTrackingStore store = TestStores.open("sql")) {
      String db = store.database();
      String exp = store.createExperiment("sql", null, Map.of("owner", "ana"));
      String a = store.createRun(exp, null, 1000L, List.of(), "a").info().runId();
      String b = store.createRun(exp, null, 2000L, List.of(), "b").info().runId();
      double[] aucA = {0.80, 0.81, 0.82};
      double[] aucB = {0.90, 0.91, 0.92};
      for (int step = 0; step < 3; step++) {
        store.logMetric(a, new Metric("auc", aucA[step], 10 + step, step));
        store.logMetric(b, new Metric("auc", aucB[step], 10 + step, step));
      }
      store.logParam(a, new Param("depth", "3"));
      store.logParam(b, new Param("depth", "5"));
      store.setTag(b, new RunTag("stage", "best"));
      store.updateRun(a, RunStatus.FINISHED, 3000L, null);
      store.sync();

      List<Row> good =
          spark.sql("SELECT run_name FROM " + db + ".runs WHERE metrics['auc'] > 0.9 ORDER BY run_name").collectAsList();
      assertThat(good).extracting(r -> r.getString(0)).containsExactly("b");
      Row runA =
          spark.sql("SELECT status, end_time, params['depth'], tags['mlflow.runName'], metrics['auc'] FROM " + db
                  + ".runs WHERE run_id = '" + a + "'")
              .first();
      assertThat(runA.getString(0)).isEqualTo("FINISHED");
      assertThat(runA.getLong(1)).isEqualTo(3000L);
      assertThat(runA.getString(2)).isEqualTo("3");
      assertThat(runA.getString(3)).isEqualTo("a");
      assertThat(runA.getDouble(4)).isEqualTo(0.82);

      assertThat(spark.sql("SELECT step, value FROM " + db + ".metrics WHERE run_id = '" + b + "' ORDER BY step").collectAsList())
          .extracting(r -> r.getLong(0) + ":" + r.getDouble(1))
          .containsExactly("0:0.9", "1:0.91", "2:0.92");
      assertThat(spark.sql("SELECT run_id, value FROM " + db + ".params WHERE key = 'depth' ORDER BY value").collectAsList())
          .extracting(r -> r.getString(0) + "=" + r.getString(1))
          .containsExactly(a + "=3", b + "=5");
      assertThat(spark.sql("SELECT value FROM " + db + ".tags WHERE run_id = '" + b + "' AND key = 'stage'").first().getString(0))
          .isEqualTo("best");
      assertThat(spark.sql("SELECT value, step FROM " + db + ".latest_metrics WHERE run_id = '" + a + "'").first().getLong(1))
          .isEqualTo(2);
      assertThat(spark.sql("SELECT name, tags['owner'] FROM " + db + ".experiments WHERE experiment_id = '" + exp + "'").first().getString(1))
          .isEqualTo("ana");
      assertThat(spark.catalog().tableExists(db, "events")).isTrue();
      assertThat(spark.catalog().tableExists(db, "run_state")).isTrue();
    }
  }

  @Test
  void refusesToTakeOverADatabaseHoldingAnotherStore() {
    try (DeltaTrackingStore first = TestStores.open("owner")) {
      String db = first.database();
      io.runlake.testing.Errors.assertError(
              io.runlake.errors.ErrorCode.INVALID_STATE,
              () ->
                  DeltaStores.open(
                      SharedSpark.session(),
                      DeltaStoreOptions.builder(SharedSpark.newDirectory("intruder").toString())
                          .database(db)
                          .shutdownHook(false)
                          .build()))
          .hasMessageContaining("already holds the runlake tables of the store at");
    }
  }
}
