package io.runlake.tracking;

/**
 * A dataset a run used, as MLflow records run inputs: the dataset's name, digest, source and schema,
 * and the context it was used in ({@code training}, {@code evaluation}...; MLflow's input tag
 * {@code mlflow.data.context}). Every field but the name may be null.
 */
public record DatasetInput(
    String name,
    String digest,
    String sourceType,
    String source,
    String schema,
    String profile,
    String context) {}
