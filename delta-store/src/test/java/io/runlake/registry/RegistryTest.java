package io.runlake.registry;

import static io.runlake.testing.Errors.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.runlake.delta.internal.DeltaTrackingStore;
import io.runlake.errors.ErrorCode;
import io.runlake.testing.SharedSpark;
import io.runlake.testing.TestStores;
import io.runlake.tracking.Page;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistryTest {
  private DeltaTrackingStore store;
  private ModelRegistry registry;

  @BeforeAll
  void open() {
    store = TestStores.open("registry");
    registry = store.registry();
  }

  @AfterAll
  void close() {
    store.close();
  }

  @Test
  void createsGetsRenamesUpdatesAndDeletesModels() {
    RegisteredModel m = registry.createRegisteredModel("churn", Map.of("team", "ml"), "predicts churn");
    assertThat(m.name()).isEqualTo("churn");
    assertThat(m.tags()).containsEntry("team", "ml");
    assertThat(m.description()).isEqualTo("predicts churn");
    assertThat(m.creationTimestamp()).isPositive();
    assertError(ErrorCode.RESOURCE_ALREADY_EXISTS, () -> registry.createRegisteredModel("churn", null, null))
        .hasMessageStartingWith("Registered Model (name=churn) already exists.");

    registry.createModelVersion("churn", "file:/models/a", null, null, null, null);
    RegisteredModel renamed = registry.renameRegisteredModel("churn", "churn-v2");
    assertThat(renamed.name()).isEqualTo("churn-v2");
    assertThat(registry.getModelVersion("churn-v2", 1).source()).isEqualTo("file:/models/a");
    assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, () -> registry.getRegisteredModel("churn"))
        .hasMessageStartingWith("Registered Model with name=churn not found.");

    assertThat(registry.updateRegisteredModel("churn-v2", "better").description()).isEqualTo("better");
    registry.setRegisteredModelTag("churn-v2", "owner", "ana");
    assertThat(registry.getRegisteredModel("churn-v2").tags()).containsEntry("owner", "ana");
    registry.deleteRegisteredModelTag("churn-v2", "owner");
    assertThat(registry.getRegisteredModel("churn-v2").tags()).doesNotContainKey("owner");
    assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, () -> registry.deleteRegisteredModelTag("churn-v2", "owner"));

    registry.deleteRegisteredModel("churn-v2");
    assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, () -> registry.getRegisteredModel("churn-v2"));
    assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, () -> registry.getModelVersion("churn-v2", 1));
  }

  @Test
  void validatesNames() {
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> registry.createRegisteredModel("", null, null))
        .hasMessageStartingWith("Registered model name cannot be empty.");
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> registry.createRegisteredModel("a/b", null, null))
        .hasMessageContaining("must not contain '/' or ':'");
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> registry.createRegisteredModel("a:b", null, null));
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> registry.createRegisteredModel("t", Map.of("bad$", "v"), null));
    assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, () -> registry.createModelVersion("nope", "file:/x", null, null, null, null));
    registry.createRegisteredModel("needs-source", null, null);
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> registry.createModelVersion("needs-source", " ", null, null, null, null))
        .hasMessageStartingWith("A model version needs a source");
  }

  @Test
  void numbersVersionsAndKeepsTheirFields() {
    registry.createRegisteredModel("numbered", null, null);
    ModelVersion v1 = registry.createModelVersion("numbered", "runs:/abc/model", "abc", Map.of("k", "v"), "http://run", "first");
    ModelVersion v2 = registry.createModelVersion("numbered", "runs:/def/model", "def", null, null, null);
    assertThat(v1.version()).isEqualTo(1);
    assertThat(v2.version()).isEqualTo(2);
    assertThat(v1.currentStage()).isEqualTo(ModelStage.NONE);
    assertThat(v1.status()).isEqualTo(ModelVersionStatus.READY);
    assertThat(v1.runId()).isEqualTo("abc");
    assertThat(v1.tags()).containsEntry("k", "v");
    assertThat(v1.description()).isEqualTo("first");
    assertThat(v1.userId()).isEqualTo(System.getProperty("user.name"));
    assertThat(registry.getModelVersionDownloadUri("numbered", 1)).isEqualTo("runs:/abc/model");
    assertThat(registry.updateModelVersion("numbered", 2, "second").description()).isEqualTo("second");
    registry.setModelVersionTag("numbered", 2, "validated", "yes");
    assertThat(registry.getModelVersion("numbered", 2).tags()).containsEntry("validated", "yes");
    registry.deleteModelVersionTag("numbered", 2, "validated");
    assertThat(registry.getModelVersion("numbered", 2).tags()).isEmpty();

    registry.deleteModelVersion("numbered", 2);
    assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, () -> registry.getModelVersion("numbered", 2))
        .hasMessage("Model Version (name=numbered, version=2) not found.");
    assertThat(registry.createModelVersion("numbered", "file:/m3", null, null, null, null).version())
        .as("a deleted version keeps its number").isEqualTo(3);
    assertThat(registry.versionsOfRun("abc")).extracting(ModelVersion::version).containsExactly(1L);
  }

  @Test
  void sixteenConcurrentRegistrationsGetVersionsOneToSixteen() throws Exception {
    registry.createRegisteredModel("contended", null, null);
    CyclicBarrier start = new CyclicBarrier(16);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    List<Future<Long>> futures = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      int n = i;
      futures.add(pool.submit(() -> {
        start.await();
        return registry.createModelVersion("contended", "file:/m" + n, null, null, null, null).version();
      }));
    }
    List<Long> numbers = new ArrayList<>();
    for (Future<Long> f : futures) {
      numbers.add(f.get());
    }
    pool.shutdown();
    assertThat(numbers).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L);
    assertThat(registry.searchModelVersions("name = 'contended'", 100, null, null).items()).hasSize(16);
  }

  @Test
  void stagesAreCaseInsensitiveAndCanArchiveTheIncumbent() {
    registry.createRegisteredModel("staged", null, null);
    for (int i = 0; i < 3; i++) {
      registry.createModelVersion("staged", "file:/s" + i, null, null, null, null);
    }
    assertThat(registry.transitionModelVersionStage("staged", 1, "production", false).currentStage())
        .isEqualTo(ModelStage.PRODUCTION);
    registry.transitionModelVersionStage("staged", 2, "PRODUCTION", false);
    assertThat(registry.getModelVersion("staged", 1).currentStage()).isEqualTo(ModelStage.PRODUCTION);
    registry.transitionModelVersionStage("staged", 3, "Production", true);
    assertThat(registry.getModelVersion("staged", 1).currentStage()).isEqualTo(ModelStage.ARCHIVED);
    assertThat(registry.getModelVersion("staged", 2).currentStage()).isEqualTo(ModelStage.ARCHIVED);
    assertThat(registry.getLatestVersions("staged", List.of("Production"))).extracting(ModelVersion::version).containsExactly(3L);
    assertThat(registry.getLatestVersions("staged", List.of())).extracting(ModelVersion::version).containsExactly(3L, 2L);
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> registry.transitionModelVersionStage("staged", 1, "Prod", false))
        .hasMessageStartingWith("Invalid model version stage 'Prod'. Valid stages are None, Staging, Production, Archived");
    assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, () -> registry.transitionModelVersionStage("staged", 9, "Staging", false));
  }

  @Test
  void aliasesMoveBetweenVersionsAndDieWithThem() {
    registry.createRegisteredModel("aliased", null, null);
    registry.createModelVersion("aliased", "file:/a1", null, null, null, null);
    registry.createModelVersion("aliased", "file:/a2", null, null, null, null);
    registry.setRegisteredModelAlias("aliased", "champion", 1);
    assertThat(registry.getModelVersionByAlias("aliased", "champion").version()).isEqualTo(1);
    registry.setRegisteredModelAlias("aliased", "champion", 2);
    assertThat(registry.getModelVersionByAlias("aliased", "champion").version()).isEqualTo(2);
    assertThat(registry.getModelVersion("aliased", 1).aliases()).isEmpty();
    assertThat(registry.getRegisteredModel("aliased").aliases()).containsExactlyEntriesOf(Map.of("champion", 2L));
    registry.setRegisteredModelAlias("aliased", "challenger", 1);
    registry.deleteRegisteredModelAlias("aliased", "challenger");
    assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, () -> registry.getModelVersionByAlias("aliased", "challenger"));
    registry.deleteModelVersion("aliased", 2);
    assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, () -> registry.getModelVersionByAlias("aliased", "champion"))
        .as("deleting a version removes its aliases");
    for (String bad : List.of("latest", "LATEST", "v1", "V12", "has space", "a/b", "")) {
      assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> registry.setRegisteredModelAlias("aliased", bad, 1));
    }
    assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, () -> registry.setRegisteredModelAlias("aliased", "x", 7));
  }

  @Test
  void aStageTransitionRacingAnAliasChangeLosesNeither() throws Exception {
    registry.createRegisteredModel("race", null, null);
    registry.createModelVersion("race", "file:/r1", null, null, null, null);
    // Two registry instances over the same tables, as two processes would be.
    try (DeltaTrackingStore other = io.runlake.delta.DeltaStores.open(SharedSpark.session(),
        io.runlake.delta.DeltaStoreOptions.builder(store.root()).database(store.database() + "_b").shutdownHook(false).build())) {
      for (int round = 0; round < 3; round++) {
        String stage = round % 2 == 0 ? "Staging" : "Production";
        String alias = "pick" + round;
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        Future<?> a = pool.submit(() -> {
          start.await();
          return registry.transitionModelVersionStage("race", 1, stage, false);
        });
        Future<?> b = pool.submit(() -> {
          start.await();
          other.registry().setRegisteredModelAlias("race", alias, 1);
          return null;
        });
        a.get();
        b.get();
        pool.shutdown();
        ModelVersion v = registry.getModelVersion("race", 1);
        assertThat(v.currentStage().displayName()).isEqualTo(stage);
        assertThat(v.aliases()).contains(alias);
      }
    }
  }

  @Test
  void searchesModelsAndVersions() {
    registry.createRegisteredModel("search-a", Map.of("kind", "tree"), null);
    registry.createRegisteredModel("search-b", Map.of("kind", "linear"), null);
    registry.createModelVersion("search-a", "file:/sa1", "run1", Map.of("ok", "y"), null, null);
    registry.createModelVersion("search-a", "file:/sa2", "run2", null, null, null);
    assertThat(registry.searchRegisteredModels("name LIKE 'search-%'", 100, null, null).items())
        .extracting(RegisteredModel::name).containsExactly("search-a", "search-b");
    assertThat(registry.searchRegisteredModels("tags.kind = 'linear'", 100, null, null).items())
        .extracting(RegisteredModel::name).containsExactly("search-b");
    assertThat(registry.searchRegisteredModels("name LIKE 'search-%'", 100, List.of("name DESC"), null).items())
        .extracting(RegisteredModel::name).containsExactly("search-b", "search-a");
    assertThat(registry.searchModelVersions("name = 'search-a'", 100, null, null).items())
        .extracting(ModelVersion::version).containsExactly(2L, 1L);
    assertThat(registry.searchModelVersions("run_id = 'run1' AND tags.ok = 'y'", 100, null, null).items())
        .extracting(ModelVersion::source).containsExactly("file:/sa1");
    assertThat(registry.searchModelVersions("name = 'search-a' AND version_number > 1", 100, null, null).items())
        .extracting(ModelVersion::version).containsExactly(2L);
    Page<RegisteredModel> first = registry.searchRegisteredModels("name LIKE 'search-%'", 1, null, null);
    Page<RegisteredModel> second = registry.searchRegisteredModels("name LIKE 'search-%'", 1, null, first.nextPageToken().orElseThrow());
    assertThat(second.items()).extracting(RegisteredModel::name).containsExactly("search-b");
    assertError(ErrorCode.INVALID_PARAMETER_VALUE, () -> registry.searchModelVersions("metrics.x > 1", 10, null, null));
  }

  @Test
  void answersWhichVersionHeldAnAliasInThePast() throws Exception {
    registry.createRegisteredModel("history", null, null);
    registry.createModelVersion("history", "file:/h1", null, null, null, null);
    registry.createModelVersion("history", "file:/h2", null, null, null, null);
    registry.setRegisteredModelAlias("history", "champion", 1);
    Thread.sleep(1100);
    Instant whileOne = Instant.now();
    Thread.sleep(1100);
    registry.setRegisteredModelAlias("history", "champion", 2);

    assertThat(registry.getModelVersionByAlias("history", "champion").version()).isEqualTo(2);
    assertThat(registry.asOf(whileOne).getModelVersionByAlias("history", "champion").version()).isEqualTo(1);

    String db = store.database();
    Row row = SharedSpark.session().sql(
        "SELECT version FROM " + db + ".model_versions TIMESTAMP AS OF '" + java.sql.Timestamp.from(whileOne)
            + "' WHERE name = 'history' AND array_contains(aliases, 'champion')").first();
    assertThat(row.getLong(0)).isEqualTo(1);

    long tableVersion = SharedSpark.session().sql("DESCRIBE HISTORY " + db + ".model_versions LIMIT 1").first().getLong(0);
    assertThat(registry.asOfVersion(tableVersion).getModelVersionByAlias("history", "champion").version()).isEqualTo(2);
    assertThat(registry.asOfVersion(tableVersion - 1).getModelVersionByAlias("history", "champion").version()).isEqualTo(1);
    assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, () -> registry.asOfVersion(tableVersion + 100));
  }
}
