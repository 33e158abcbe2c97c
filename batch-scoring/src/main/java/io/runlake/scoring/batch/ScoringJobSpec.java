package io.runlake.scoring.batch;

import java.util.List;
import java.util.Objects;

/**
 * What a scoring job does: which model scores which input into which output, how the output is
 * written, and which rows and columns are scored. Built with {@link #builder}.
 *
 * @param jobName names the job: runs of the same job share incremental state and batch ids
 * @param input a catalog table ({@code db.customers}) or a Delta table path
 * @param output a catalog table or a Delta table path; created on the first run
 * @param filter a Spark SQL predicate on the input ({@code region = 'EU'}), or null
 * @param outputColumns the model columns to keep (default: the prediction)
 * @param mergeKeys the key columns of {@link WriteMode#MERGE}
 * @param incremental score only the rows added to the input since this job's last successful run
 * @param experiment the experiment the scoring runs are recorded in
 */
public record ScoringJobSpec(
    String jobName,
    String modelUri,
    String input,
    String output,
    WriteMode mode,
    List<String> mergeKeys,
    String filter,
    List<String> outputColumns,
    boolean incremental,
    String experiment) {

  /** How scored rows are written. */
  public enum WriteMode {
    /** Add this run's rows; a re-run of the same input version replaces its own rows. */
    APPEND,
    /** Replace the whole output. */
    OVERWRITE,
    /** Update rows whose keys match, insert the others. */
    MERGE
  }

  public ScoringJobSpec {
    Objects.requireNonNull(modelUri, "modelUri");
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(output, "output");
    mergeKeys = List.copyOf(mergeKeys);
    outputColumns = List.copyOf(outputColumns);
  }

  public static Builder builder(String modelUri, String input, String output) {
    return new Builder(modelUri, input, output);
  }

  /** Builds a {@link ScoringJobSpec}. */
  public static final class Builder {
    private final String modelUri;
    private final String input;
    private final String output;
    private String jobName;
    private WriteMode mode = WriteMode.APPEND;
    private List<String> mergeKeys = List.of();
    private String filter;
    private List<String> outputColumns = List.of();
    private boolean incremental;
    private String experiment = "runlake-scoring";

    private Builder(String modelUri, String input, String output) {
      this.modelUri = modelUri;
      this.input = input;
      this.output = output;
    }

    public Builder jobName(String name) {
      this.jobName = name;
      return this;
    }

    public Builder mode(WriteMode mode) {
      this.mode = mode;
      return this;
    }

    public Builder mergeKeys(List<String> keys) {
      this.mergeKeys = keys;
      return this;
    }

    public Builder filter(String predicate) {
      this.filter = predicate;
      return this;
    }

    public Builder outputColumns(List<String> columns) {
      this.outputColumns = columns;
      return this;
    }

    public Builder incremental(boolean on) {
      this.incremental = on;
      return this;
    }

    public Builder experiment(String name) {
      this.experiment = name;
      return this;
    }

    public ScoringJobSpec build() {
      String name = jobName != null ? jobName : "score " + input + " into " + output;
      return new ScoringJobSpec(
          name, modelUri, input, output, mode, mergeKeys, filter, outputColumns, incremental, experiment);
    }
  }
}
