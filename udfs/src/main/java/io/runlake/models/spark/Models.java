package io.runlake.models.spark;

import io.runlake.ActiveRun;
import io.runlake.Runlake;
import io.runlake.errors.ErrorCode;
import io.runlake.errors.RunlakeException;
import io.runlake.models.MLmodel;
import io.runlake.models.ModelUri;
import io.runlake.registry.ModelRegistry;
import io.runlake.registry.ModelVersion;
import io.runlake.tracking.TrackingStore;
import io.runlake.delta.DeltaStores;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Logging Spark ML models in the MLflow model format, and loading them back from model URIs.
 *
 * <pre>{@code
 * LoggedModel logged = Models.log(run, "model", pipelineModel, trainingData.drop("label"));
 * LoadedModel champion = Models.load(spark, "models:/churn@champion");
 * Dataset<Row> scored = champion.transform(customers);
 * }</pre>
 *
 * Loading a model costs seconds ({@code PipelineModel.load}), so loaded models are cached by the
 * location of their files; a {@code models:/} URI is resolved again at every call, so moving an alias
 * or a stage changes what the next load returns.
 */
public final class Models {
  private static final int CACHE_SIZE = 32;
  private static final Map<String, PipelineModel> CACHE =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PipelineModel> eldest) {
          return size() > CACHE_SIZE;
        }
      };

  private Models() {}

  /** Starts describing a model to log to a run of {@code store}. */
  public static ModelLogger logger(SparkSession spark, TrackingStore store) {
    return new ModelLogger(spark, store);
  }

  /**
   * Logs {@code model} to {@code run} under {@code artifactPath}, with a signature inferred from
   * {@code input} (the columns the model reads, without the label) and a 5-row input example.
   */
  public static LoggedModel log(
      ActiveRun run, String artifactPath, Transformer model, Dataset<Row> input) {
    return logger(input.sparkSession(), run.tracking().client())
        .run(run.id())
        .artifactPath(artifactPath)
        .input(input)
        .log(model);
  }

  /** Loads the model a URI names, resolving {@code runs:/} and {@code models:/} URIs against the session's default store. */
  public static LoadedModel load(SparkSession spark, String uri) {
    ModelUri parsed = ModelUri.parse(uri);
    TrackingStore store = parsed instanceof ModelUri.Location ? null : Runlake.tracking(spark).client();
    return load(spark, uri, store);
  }

  /** Loads the model a URI names, resolving it against {@code store} and its registry. */
  public static LoadedModel load(SparkSession spark, String uri, TrackingStore store) {
    return load(spark, resolve(uri, store));
  }

  /** Loads the Spark ML model of an already resolved URI (so that it cannot move meanwhile). */
  public static LoadedModel load(SparkSession spark, ResolvedModel resolved) {
    String uri = resolved.uri();
    MLmodel mlmodel = readMLmodel(spark, resolved.location());
    Map<String, Object> flavor =
        mlmodel
            .flavor("spark")
            .orElseThrow(
                () ->
                    new RunlakeException(
                        ErrorCode.INVALID_PARAMETER_VALUE,
                        "The model at " + resolved.location() + " has no 'spark' flavor (it has "
                            + mlmodel.flavors().keySet() + "), so it cannot load as a Spark ML"
                            + " model."));
    String data = String.valueOf(flavor.getOrDefault("model_data", ModelLogger.SPARKML));
    String modelPath = resolved.location() + "/" + data;
    PipelineModel model;
    synchronized (CACHE) {
      model = CACHE.get(modelPath);
    }
    if (model == null) {
      try {
        model = PipelineModel.load(modelPath);
      } catch (RuntimeException e) {
        throw new RunlakeException(
            ErrorCode.INTERNAL_ERROR,
            "Failed while loading the Spark ML model at " + modelPath + " (from " + uri + "): "
                + e.getMessage(),
            e);
      }
      synchronized (CACHE) {
        CACHE.put(modelPath, model);
      }
    }
    return new LoadedModel(uri, resolved.location(), mlmodel, model, resolved.version());
  }

  /**
   * What {@code uri} names now: the location of the model's files, and for {@code models:/} URIs the
   * version it resolved to.
   *
   * @param store the store {@code runs:/} and {@code models:/} URIs resolve in; may be null for a
   *     plain location
   */
  public static ResolvedModel resolve(String uri, TrackingStore store) {
    ModelUri parsed = ModelUri.parse(uri);
    if (parsed instanceof ModelUri.Location l) {
      return new ResolvedModel(uri, DeltaStores.qualify(l.uri()), Optional.empty());
    }
    if (store == null) {
      throw new RunlakeException(
          ErrorCode.INVALID_PARAMETER_VALUE,
          "The model URI '" + uri + "' needs a tracking store to resolve in.");
    }
    if (parsed instanceof ModelUri.RunArtifact r) {
      String root = store.getRun(r.runId()).info().artifactUri();
      return new ResolvedModel(uri, root + "/" + r.path(), Optional.empty());
    }
    ModelVersion version = version(parsed, store.registry());
    ResolvedModel source = resolve(version.source(), store);
    return new ResolvedModel(uri, source.location(), Optional.of(version));
  }

  private static ModelVersion version(ModelUri uri, ModelRegistry registry) {
    if (uri instanceof ModelUri.Version v) {
      return registry.getModelVersion(v.name(), v.version());
    }
    if (uri instanceof ModelUri.Alias a) {
      return registry.getModelVersionByAlias(a.name(), a.alias());
    }
    if (uri instanceof ModelUri.Stage s) {
      List<ModelVersion> latest = registry.getLatestVersions(s.name(), List.of(s.stage().displayName()));
      if (latest.isEmpty()) {
        throw new RunlakeException(
            ErrorCode.RESOURCE_DOES_NOT_EXIST,
            "No version of registered model " + s.name() + " is in stage " + s.stage() + ".");
      }
      return latest.get(0);
    }
    String name = ((ModelUri.Latest) uri).name();
    return registry.getLatestVersions(name, List.of()).stream()
        .max(Comparator.comparingLong(ModelVersion::version))
        .orElseThrow(
            () ->
                new RunlakeException(
                    ErrorCode.RESOURCE_DOES_NOT_EXIST,
                    "Registered model " + name + " has no versions yet."));
  }

  /** The MLmodel file of the model directory at {@code location}. */
  public static MLmodel readMLmodel(SparkSession spark, String location) {
    io.runlake.artifacts.ArtifactRepository files =
        io.runlake.artifacts.ArtifactRepositories.at(spark, location);
    if (!files.exists(MLmodel.FILE_NAME)) {
      throw new RunlakeException(
          ErrorCode.RESOURCE_DOES_NOT_EXIST,
          "No MLmodel file at " + location + ": it is not an MLflow model directory. Check the URI.");
    }
    return MLmodel.parse(files.readText(MLmodel.FILE_NAME));
  }

  /** Forgets every loaded model (for tests, and after models were rewritten in place). */
  public static void clearCache() {
    synchronized (CACHE) {
      CACHE.clear();
    }
  }
}
