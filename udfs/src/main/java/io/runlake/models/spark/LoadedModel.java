package io.runlake.models.spark;

import io.runlake.models.MLmodel;
import io.runlake.registry.ModelVersion;
import java.util.Optional;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A Spark ML model loaded from a model URI: what the URI resolved to (its file location and, for a
 * {@code models:/} URI, the registered version), its MLmodel metadata and the pipeline itself.
 */
public record LoadedModel(
    String uri, String location, MLmodel mlmodel, PipelineModel model, Optional<ModelVersion> version) {

  /** The model applied to {@code input}: a Spark plan, not a UDF. */
  public Dataset<Row> transform(Dataset<Row> input) {
    return model.transform(input);
  }
}
