package io.runlake.models.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.runlake.ActiveRun;
import io.runlake.Runlake;
import io.runlake.Tracking;
import io.runlake.artifacts.ArtifactRepositories;
import io.runlake.artifacts.ArtifactRepository;
import io.runlake.artifacts.FileInfo;
import io.runlake.delta.DeltaStoreOptions;
import io.runlake.testing.SharedSpark;
import io.runlake.tracking.Page;
import io.runlake.tracking.Run;
import io.runlake.tracking.ViewType;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A store whose tables and artifacts live in an S3 bucket, through hadoop-aws (s3a) talking the real
 * S3 protocol to s3proxy on loopback: runs, SQL, artifacts, a model logged, registered and loaded back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3Test {
  private S3Proxy proxy;
  private BlobStoreContext blobs;

  @BeforeAll
  void startS3() throws Exception {
    Properties props = new Properties();
    props.setProperty("jclouds.filesystem.basedir", SharedSpark.newDirectory("s3").toString());
    blobs = ContextBuilder.newBuilder("filesystem").overrides(props).build(BlobStoreContext.class);
    blobs.getBlobStore().createContainerInLocation(null, "lake");
    proxy =
        S3Proxy.builder()
            .blobStore(blobs.getBlobStore())
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "runlake", "runlake-secret")
            .build();
    proxy.start();
    while (!proxy.getState().equals("STARTED")) {
      Thread.sleep(10);
    }
    Configuration conf = SharedSpark.session().sparkContext().hadoopConfiguration();
    conf.set("fs.s3a.endpoint", "http://127.0.0.1:" + proxy.getPort());
    conf.set("fs.s3a.path.style.access", "true");
    conf.set("fs.s3a.access.key", "runlake");
    conf.set("fs.s3a.secret.key", "runlake-secret");
    conf.set("fs.s3a.endpoint.region", "us-east-1");
    conf.set("fs.s3a.connection.ssl.enabled", "false");
    conf.set("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    // s3proxy answers 501 to the checksum header the AWS SDK sends with a multi-object delete.
    conf.set("fs.s3a.multiobjectdelete.enable", "false");
  }

  @AfterAll
  void stopS3() throws Exception {
    if (proxy != null) {
      proxy.stop();
    }
    if (blobs != null) {
      blobs.close();
    }
  }

  @Test
  void storeArtifactsAndModelsRoundTripThroughS3() throws Exception {
    SparkSession spark = SharedSpark.session();
    String root = "s3a://lake/runlake";
    Dataset<Row> data = TrainingData.frame();
    PipelineModel pipeline = TrainingData.pipeline(data);
    try (Tracking tracking =
        Runlake.tracking(spark, DeltaStoreOptions.builder(root).database("s3_store").shutdownHook(false).build())) {
      tracking.setExperiment("on-s3");
      LoggedModel logged;
      String runId;
      try (ActiveRun run = tracking.startRun("s3-run")) {
        runId = run.id();
        run.logParam("where", "s3").logMetric("auc", 0.9, 1);
        assertThat(run.info().artifactUri()).startsWith(root + "/artifacts/");
        Path note = Files.writeString(SharedSpark.newDirectory("note").resolve("note.txt"), "hello s3");
        ArtifactRepository artifacts = ArtifactRepositories.at(spark, run.info().artifactUri());
        artifacts.logFile(note, "notes");
        for (int i = 0; i < 5; i++) {
          artifacts.writeText("many/f" + i + ".txt", "x".repeat(i));
        }
        logged = Models.logger(spark, tracking.client()).run(runId).artifactPath("model")
            .input(data.select("x1", "x2")).registerAs("s3-model").log(pipeline);
      }

      Run run = tracking.client().getRun(runId);
      assertThat(run.data().params()).containsEntry("where", "s3");
      assertThat(tracking.client().searchRuns(List.of(tracking.experimentId()), "metrics.auc > 0.5", ViewType.ALL, 10, null, null).items())
          .extracting(r -> r.info().runId()).containsExactly(runId);
      tracking.client().sync();
      assertThat(spark.sql("SELECT params['where'] FROM s3_store.runs WHERE run_id = '" + runId + "'").first().getString(0)).isEqualTo("s3");

      ArtifactRepository artifacts = ArtifactRepositories.at(spark, run.info().artifactUri());
      assertThat(artifacts.readText("notes/note.txt")).isEqualTo("hello s3");
      List<FileInfo> all = new ArrayList<>();
      String token = null;
      do {
        Page<FileInfo> page = artifacts.list("many", 2, token);
        all.addAll(page.items());
        token = page.nextPageToken().orElse(null);
      } while (token != null);
      assertThat(all).extracting(FileInfo::path).containsExactly("many/f0.txt", "many/f1.txt", "many/f2.txt", "many/f3.txt", "many/f4.txt");
      assertThat(all).extracting(FileInfo::fileSize).containsExactly(0L, 1L, 2L, 3L, 4L);
      Path local = artifacts.download("model", SharedSpark.newDirectory("s3-download"));
      assertThat(Files.exists(local.resolve("MLmodel"))).isTrue();

      assertThat(logged.location()).startsWith("s3a://lake/runlake/artifacts/");
      Models.clearCache();
      LoadedModel loaded = Models.load(spark, "models:/s3-model/1", tracking.client());
      assertThat(loaded.location()).isEqualTo(logged.location());
      assertThat(TrainingData.predictions(loaded.transform(data))).isEqualTo(TrainingData.predictions(pipeline.transform(data)));
    }
  }
}
