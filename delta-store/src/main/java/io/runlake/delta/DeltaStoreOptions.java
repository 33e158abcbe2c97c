package io.runlake.delta;

import java.time.Duration;
import java.util.Objects;

/**
 * How a Delta tracking store is opened: where its tables live, the catalog database that exposes them,
 * and how its writer batches. Built with {@link #builder(String)}; immutable.
 *
 * @param root the store root: any Hadoop file system URI ({@code file:/…}, {@code s3a://…},
 *     {@code hdfs://…}) or a local path
 * @param database the Spark catalog database the tables and views are registered in
 * @param flushInterval how often buffered writes are committed without an explicit flush
 * @param maxBatch the number of buffered events that triggers a commit, and the most one commit holds
 * @param heartbeatInterval how often the writer records that its running runs are alive
 * @param refreshDelay how long after a commit the run state table is refreshed in the background
 * @param autoHeartbeat whether runs created through this store are kept alive by its heartbeats (a
 *     server acting for remote clients turns this off: its clients' liveness is not its own)
 * @param shutdownHook whether a JVM shutdown hook flushes buffered writes
 * @param keyIndexRowsPerFile how many rows of the key index ({@code run_keys}) a refresh writes per
 *     file: smaller files skip more precisely, larger ones are fewer
 * @param keyIndexMinStateFiles from how many {@code run_state} files on searches consult the key
 *     index: with fewer, reading the state whole costs less than the index lookup saves
 */
public record DeltaStoreOptions(
    String root,
    String database,
    Duration flushInterval,
    int maxBatch,
    Duration heartbeatInterval,
    Duration refreshDelay,
    boolean autoHeartbeat,
    boolean shutdownHook,
    int keyIndexRowsPerFile,
    int keyIndexMinStateFiles) {

  public static final String DEFAULT_DATABASE = "runlake";

  public DeltaStoreOptions {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(database, "database");
    if (keyIndexRowsPerFile < 1) {
      throw new IllegalArgumentException("keyIndexRowsPerFile must be positive, not " + keyIndexRowsPerFile);
    }
  }

  public static Builder builder(String root) {
    return new Builder(root);
  }

  /** Builds {@link DeltaStoreOptions}; every setting has a default suited to a Spark job. */
  public static final class Builder {
    private final String root;
    private String database = DEFAULT_DATABASE;
    private Duration flushInterval = Duration.ofSeconds(2);
    private int maxBatch = 50_000;
    private Duration heartbeatInterval = Duration.ofSeconds(30);
    private Duration refreshDelay = Duration.ofSeconds(5);
    private boolean autoHeartbeat = true;
    private boolean shutdownHook = true;
    private int keyIndexRowsPerFile = 200_000;
    private int keyIndexMinStateFiles = 256;

    private Builder(String root) {
      this.root = root;
    }

    public Builder database(String database) {
      this.database = database;
      return this;
    }

    public Builder flushInterval(Duration interval) {
      this.flushInterval = interval;
      return this;
    }

    public Builder maxBatch(int events) {
      this.maxBatch = events;
      return this;
    }

    public Builder heartbeatInterval(Duration interval) {
      this.heartbeatInterval = interval;
      return this;
    }

    public Builder refreshDelay(Duration delay) {
      this.refreshDelay = delay;
      return this;
    }

    public Builder autoHeartbeat(boolean on) {
      this.autoHeartbeat = on;
      return this;
    }

    public Builder shutdownHook(boolean on) {
      this.shutdownHook = on;
      return this;
    }

    public Builder keyIndexRowsPerFile(int rows) {
      this.keyIndexRowsPerFile = rows;
      return this;
    }

    public Builder keyIndexMinStateFiles(int files) {
      this.keyIndexMinStateFiles = files;
      return this;
    }

    public DeltaStoreOptions build() {
      return new DeltaStoreOptions(
          root,
          database,
          flushInterval,
          maxBatch,
          heartbeatInterval,
          refreshDelay,
          autoHeartbeat,
          shutdownHook,
          keyIndexRowsPerFile,
          keyIndexMinStateFiles);
    }
  }
}
