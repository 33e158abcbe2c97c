package io.runlake.models.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.runlake.artifacts.ArtifactRepositories;
import io.runlake.artifacts.ArtifactRepository;
import io.runlake.errors.ErrorCode;
import io.runlake.errors.RunlakeException;
import io.runlake.models.MLmodel;
import io.runlake.models.ModelEnvironment;
import io.runlake.models.ModelSignature;
import io.runlake.registry.ModelVersion;
import io.runlake.tracking.Run;
import io.runlake.tracking.RunTag;
import io.runlake.tracking.TrackingStore;
import java.io.IOException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;

/**
 * Writes a Spark ML model into a run's artifacts as an MLflow model directory, the layout
 * {@code mlflow.spark.save_model} writes:
 *
 * <pre>
 * &lt;artifact path&gt;/
 *   MLmodel                   flavors spark and python_function, signature, run id, uuid, time
 *   sparkml/                  the PipelineModel, saved by Spark ML itself
 *   input_example.json        5 rows, pandas "split" orient; serving_input_example.json
 *   requirements.txt, python_env.yaml, conda.yaml   naming the matching pyspark
 *   jvm_environment.yaml      Java, Scala, Spark versions and the class path's Maven coordinates
 * </pre>
 *
 * A model that is not a {@link PipelineModel} is saved as a one-stage pipeline, because MLflow loads
 * the {@code sparkml} directory with {@code PipelineModel.load}.
 */
public final class ModelLogger {
  static final String SPARKML = "sparkml";
  static final String HISTORY_TAG = "mlflow.log-model.history";
  private static final int EXAMPLE_ROWS = 5;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter UTC_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

  private final SparkSession spark;
  private final TrackingStore store;
  private String runId;
  private String artifactPath = "model";
  private Dataset<Row> input;
  private String registeredName;

  ModelLogger(SparkSession spark, TrackingStore store) {
    this.spark = spark;
    this.store = store;
  }

  /** Starts describing a model to log to a run of {@code store} (also {@code Models.logger}). */
  public static ModelLogger forStore(SparkSession spark, TrackingStore store) {
    return new ModelLogger(spark, store);
  }

  public ModelLogger run(String runId) {
    this.runId = runId;
    return this;
  }

  public ModelLogger artifactPath(String path) {
    this.artifactPath = path;
    return this;
  }

  /** The data the model reads (features, without the label): its schema is the signature's input. */
  public ModelLogger input(Dataset<Row> input) {
    this.input = input;
    return this;
  }

  /** Also registers the logged model as a new version of this registered model. */
  public ModelLogger registerAs(String name) {
    this.registeredName = name;
    return this;
  }

  public LoggedModel log(Transformer model) {
    if (runId == null) {
      throw new RunlakeException(ErrorCode.INVALID_PARAMETER_VALUE, "Name the run to log the model to.");
    }
    Run run = store.getRun(runId);
    String location = run.info().artifactUri() + "/" + artifactPath;
    PipelineModel pipeline = asPipeline(model);
    try {
      pipeline.write().overwrite().save(location + "/" + SPARKML);
    } catch (IOException | RuntimeException e) {
      throw new RunlakeException(
          ErrorCode.INTERNAL_ERROR, "Failed while saving the Spark ML model to " + location + ": " + e.getMessage(), e);
    }
    ArtifactRepository files = ArtifactRepositories.at(spark, location);
    MLmodel.Builder mlmodel =
        MLmodel.builder()
            .set("artifact_path", artifactPath)
            .set("run_id", runId)
            .set("model_uuid", UUID.randomUUID().toString().replace("-", ""))
            .set("utc_time_created", ZonedDateTime.now(ZoneOffset.UTC).format(UTC_TIME))
            .set("runlake_version", "0.1.0")
            .flavor(
                "spark",
                Map.of(
                    "pyspark_version", spark.version(),
                    "model_data", SPARKML,
                    "model_class", "pyspark.ml.pipeline.PipelineModel",
                    "jvm_model_class", model.getClass().getName(),
                    "jvm_environment", ModelEnvironment.JVM_FILE))
            .flavor(
                "python_function",
                Map.of(
                    "loader_module", "mlflow.spark",
                    "data", SPARKML,
                    "python_version", ModelEnvironment.PYTHON_VERSION,
                    "env", Map.of("conda", "conda.yaml", "virtualenv", "python_env.yaml")));
    if (input != null) {
      mlmodel.signature(ModelSignature.infer(input.schema(), pipeline.transform(input).schema()));
      writeInputExample(files);
      mlmodel.set(
          "saved_input_example_info",
          Map.of(
              "artifact_path", "input_example.json",
              "serving_input_path", "serving_input_example.json",
              "type", "dataframe",
              "pandas_orient", "split"));
    }
    files.writeText("requirements.txt", ModelEnvironment.requirementsTxt(spark.version()));
    files.writeText("python_env.yaml", ModelEnvironment.pythonEnvYaml());
    files.writeText("conda.yaml", ModelEnvironment.condaYaml(spark.version()));
    files.writeText(ModelEnvironment.JVM_FILE, ModelEnvironment.jvmEnvironmentYaml(spark.version()));
    mlmodel.set("model_size_bytes", size(location));
    MLmodel written = mlmodel.build();
    files.writeText(MLmodel.FILE_NAME, written.toYaml());
    recordHistory(run, written);

    String uri = "runs:/" + runId + "/" + artifactPath;
    Optional<ModelVersion> version = Optional.empty();
    if (registeredName != null) {
      version = Optional.of(register(location));
    }
    return new LoggedModel(runId, artifactPath, uri, location, written, version);
  }

  private ModelVersion register(String location) {
    try {
      store.registry().createRegisteredModel(registeredName, Map.of(), null);
    } catch (RunlakeException e) {
      if (e.code() != ErrorCode.RESOURCE_ALREADY_EXISTS) {
        throw e;
      }
    }
    return store.registry().createModelVersion(registeredName, location, runId, Map.of(), null, null);
  }

  private static PipelineModel asPipeline(Transformer model) {
    if (model instanceof PipelineModel p) {
      return p;
    }
    return new PipelineModel(
        "runlake_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12), List.of(model));
  }

  private void writeInputExample(ArtifactRepository files) {
    ObjectNode split = JSON.createObjectNode();
    ArrayNode columns = split.putArray("columns");
    for (StructField f : input.schema().fields()) {
      columns.add(f.name());
    }
    ArrayNode data = split.putArray("data");
    for (Row r : input.limit(EXAMPLE_ROWS).collectAsList()) {
      ArrayNode row = data.addArray();
      for (int i = 0; i < r.size(); i++) {
        row.add(JSON.valueToTree(jsonValue(r.get(i))));
      }
    }
    files.writeText("input_example.json", split.toString());
    ObjectNode serving = JSON.createObjectNode();
    serving.set("dataframe_split", split);
    files.writeText("serving_input_example.json", serving.toString());
  }

  private static Object jsonValue(Object v) {
    if (v instanceof Vector vector) {
      return vector.toArray();
    }
    if (v instanceof java.sql.Timestamp || v instanceof java.sql.Date || v instanceof java.time.temporal.Temporal) {
      return v.toString();
    }
    if (v instanceof Row row) {
      Map<String, Object> m = new java.util.LinkedHashMap<>();
      for (StructField f : row.schema().fields()) {
        m.put(f.name(), jsonValue(row.getAs(f.name())));
      }
      return m;
    }
    if (v instanceof scala.collection.Seq<?> seq) {
      return scala.jdk.javaapi.CollectionConverters.asJava(seq).stream().map(ModelLogger::jsonValue).toList();
    }
    return v;
  }

  private long size(String location) {
    try {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(location);
      return p.getFileSystem(spark.sparkContext().hadoopConfiguration()).getContentSummary(p).getLength();
    } catch (IOException e) {
      return 0;
    }
  }

  /**
   * MLflow's UI lists a run's models from tag {@value #HISTORY_TAG}, a JSON list of MLmodel
   * summaries; the oldest entries are dropped when the tag would exceed MLflow's value limit.
   */
  private void recordHistory(Run run, MLmodel logged) {
    try {
      String existing = run.data().tags().get(HISTORY_TAG);
      ArrayNode history = existing == null ? JSON.createArrayNode() : (ArrayNode) JSON.readTree(existing);
      ObjectNode entry = JSON.createObjectNode();
      entry.put("run_id", runId);
      entry.put("artifact_path", artifactPath);
      entry.put("utc_time_created", logged.utcTimeCreated().orElse(""));
      entry.put("model_uuid", logged.modelUuid().orElse(""));
      entry.set("flavors", JSON.valueToTree(logged.flavors()));
      history.add(entry);
      while (history.toString().length() > io.runlake.tracking.internal.Validation.MAX_TAG_VALUE_LENGTH && history.size() > 1) {
        history.remove(0);
      }
      store.setTag(runId, new RunTag(HISTORY_TAG, history.toString()));
    } catch (IOException e) {
      throw new RunlakeException(ErrorCode.INTERNAL_ERROR, "Cannot update tag " + HISTORY_TAG + ": " + e.getMessage(), e);
    }
  }
}
