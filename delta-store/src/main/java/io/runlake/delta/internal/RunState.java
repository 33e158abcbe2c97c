package io.runlake.delta.internal;

import static org.apache.spark.sql.functions.col;

import io.delta.tables.DeltaTable;
import io.runlake.search.Filter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.storage.StorageLevel;
import scala.Option;

/**
 * Keeps the {@code run_state} table equal to the fold of the journal.
 *
 * <p>The state table remembers which journal version it reflects (its watermark) with Delta's
 * idempotent-write marker: every refresh MERGE carries {@code txnAppId} {@value #APP_ID} and
 * {@code txnVersion} = the journal version it folded up to. A refresh reads the new journal commits
 * (change data feed from watermark + 1), folds them into the touched runs' rows, and MERGEs those rows.
 * Several processes may refresh at once; case by case:
 *
 * <ol>
 *   <li>a refresher whose target version is not above the recorded watermark is skipped by Delta
 *       itself (its txnVersion is not newer), so an older fold never overwrites a newer one;
 *   <li>a refresher that read the watermark before another refresher committed conflicts on the
 *       application id and retries from the new watermark;
 *   <li>two refreshers that both pass have folded from the same watermark to different targets, and
 *       the later target's rows contain everything the earlier applied, so the result is exact.
 * </ol>
 *
 * The journal stays the source of truth: the state can always be rebuilt from it, and is never a
 * durability point.
 */
final class RunState {
  static final String APP_ID = "runlake.run_state.from_events";
  private static final String TXN_APP_ID = "spark.databricks.delta.write.txnAppId";
  private static final String TXN_VERSION = "spark.databricks.delta.write.txnVersion";

  private final SparkSession spark;
  private final SparkSession dml;
  private final Tables tables;
  private final KeyIndex keys;
  private final int keyIndexMinStateFiles;
  private final ReentrantLock lock = new ReentrantLock();
  private Dataset<Row> cached;
  private long cachedVersion = -1;

  RunState(SparkSession spark, Tables tables, int keyIndexRowsPerFile, int keyIndexMinStateFiles) {
    this.spark = spark;
    // The idempotent-DML settings are session-wide: set them only in a session of our own, so a
    // user's concurrent Delta writes in the shared session never pick them up.
    this.dml = spark.newSession();
    this.tables = tables;
    this.keys = new KeyIndex(tables, keyIndexRowsPerFile);
    this.keyIndexMinStateFiles = keyIndexMinStateFiles;
  }

  /** Folds every journal commit not yet in the state. Returns the journal version now reflected. */
  long refresh() {
    lock.lock();
    try {
      return Retry.onConflict(
          "refreshing the run state from the journal", () -> Internal.run(spark, this::refreshOnce));
    } finally {
      lock.unlock();
    }
  }

  /**
   * Folds from the lower of the two watermarks: the state and the index are two commits, and folding
   * journal commits the state already holds again gives the same rows (every fold rule is idempotent
   * over a suffix of the journal), so the index catches up on whatever a refresh that stopped between
   * its commits, or a concurrent refresher whose index append lost, left out.
   */
  private long refreshOnce() {
    Snapshot state = log(Tables.RUN_STATE);
    long watermark = watermark(state);
    long indexed = KeyIndex.watermark(log(Tables.RUN_KEYS));
    long latest = log(Tables.EVENTS).version();
    if (indexed < 0 && watermark >= 0) {
      // A store from before the index: index its state once, then go on from the state's watermark.
      keys.append(stateAt(dml, state), watermark);
      indexed = watermark;
    }
    if (latest <= watermark && latest <= indexed) {
      return watermark;
    }
    Dataset<Row> events = journal(dml, Math.min(watermark, indexed), latest);
    Dataset<Row> touched = events.select("run_id").distinct();
    Dataset<Row> old = stateAt(dml, state).join(touched, "run_id", "left_semi");
    // Ranges of run ids, which begin with the creation time: new runs, written as they come, land in
    // files of neighbouring ids, which lookups by id (the key index's candidates) can skip.
    Dataset<Row> next =
        RunStateFold.fold(old, events)
            .repartitionByRange(col("run_id"))
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      if (latest > watermark) {
        merge(next, latest);
      }
      keys.append(next, latest);
    } finally {
      next.unpersist(false);
    }
    Snapshot merged = log(Tables.RUN_STATE);
    Snapshot index = log(Tables.RUN_KEYS);
    if (watermark(merged) == KeyIndex.watermark(index)) {
      keys.compactIfFragmented(index, stateAt(dml, merged));
    }
    return latest;
  }

  private void merge(Dataset<Row> next, long latest) {
    dml.conf().set(TXN_APP_ID, APP_ID);
    dml.conf().set(TXN_VERSION, Long.toString(latest));
    try {
      DeltaTable.forPath(dml, tables.path(Tables.RUN_STATE))
          .as("t")
          .merge(next.as("s"), "t.run_id = s.run_id")
          .whenMatched()
          .updateAll()
          .whenNotMatched()
          .insertAll()
          .execute();
    } finally {
      dml.conf().unset(TXN_APP_ID);
      dml.conf().unset(TXN_VERSION);
    }
  }

  /**
   * The state of every run with every journal commit folded in, without writing anything: the state
   * table as of its last refresh, with the runs that later commits touched replaced by their fold.
   * Lazy; cheap while the journal tail since the last refresh is short.
   */
  Dataset<Row> current() {
    return current((Column) null, null);
  }

  /**
   * The current state in the shape searches read ({@link Tables#SEARCH_COLUMNS}), with the state
   * table's snapshot cached in memory, already in that shape, until the next refresh: repeated
   * searches then scan memory instead of files and maps.
   */
  Dataset<Row> searchable() {
    Snapshot state = log(Tables.RUN_STATE);
    long watermark = watermark(state);
    long latest = log(Tables.EVENTS).version();
    Dataset<Row> table = cachedSearchable(state);
    if (latest <= watermark) {
      return table;
    }
    Dataset<Row> events = journal(spark, watermark, latest);
    Dataset<Row> touched = events.select("run_id").distinct();
    Dataset<Row> folded =
        RunStateFold.fold(stateAt(spark, state).join(touched, "run_id", "left_semi"), events)
            .selectExpr(Tables.SEARCH_COLUMNS);
    return table.join(touched, "run_id", "left_anti").unionByName(folded);
  }

  /** As {@link #current()}, restricted to one run, which prunes both reads. */
  Dataset<Row> current(String runId) {
    return current(runId == null ? null : col("run_id").equalTo(runId), runId);
  }

  /**
   * As {@link #current()}, with the state table's rows narrowed to the runs that can match {@code
   * filter}'s predicates on metrics, params and tags, found in the key index: the state files of
   * other runs are skipped. The narrowing runs one small query on the index now; the rest is lazy.
   * Runs changed after the last refresh are all kept. Callers still apply the filter itself. A state
   * of fewer files than the store's {@code keyIndexMinStateFiles} is read whole: the lookup would
   * cost more than it saves.
   */
  Dataset<Row> current(Filter filter) {
    Snapshot state = log(Tables.RUN_STATE);
    Snapshot index = log(Tables.RUN_KEYS);
    if (state.numOfFiles() < keyIndexMinStateFiles || watermark(state) != KeyIndex.watermark(index)) {
      return current(null, null, state);
    }
    Optional<List<String>> candidates = keys.candidates(spark, index, filter);
    return current(candidates.map(ids -> col("run_id").isin(ids.toArray())).orElse(null), null, state);
  }

  private Dataset<Row> current(Column tableRows, String runId) {
    return current(tableRows, runId, log(Tables.RUN_STATE));
  }

  private Dataset<Row> current(Column tableRows, String runId, Snapshot state) {
    long watermark = watermark(state);
    long latest = log(Tables.EVENTS).version();
    Dataset<Row> all = stateAt(spark, state);
    Dataset<Row> table = tableRows == null ? all : all.where(tableRows);
    if (latest <= watermark) {
      return table;
    }
    Dataset<Row> events = journal(spark, watermark, latest);
    if (runId != null) {
      events = events.where(col("run_id").equalTo(runId));
    }
    Dataset<Row> touched = events.select("run_id").distinct();
    // The runs folded need their state whatever the narrowing; one run's prunes by its id.
    Dataset<Row> old = (runId != null ? table : all).join(touched, "run_id", "left_semi");
    Dataset<Row> folded = RunStateFold.fold(old, events);
    return table.join(touched, "run_id", "left_anti").unionByName(folded);
  }

  /** The journal rows committed in versions (after, upTo], with their commit version. */
  private Dataset<Row> journal(SparkSession session, long after, long upTo) {
    return session
        .read()
        .format("delta")
        .option("readChangeFeed", "true")
        .option("startingVersion", after + 1)
        .option("endingVersion", upTo)
        .load(tables.path(Tables.EVENTS))
        .where(col("_change_type").equalTo("insert"));
  }

  private synchronized Dataset<Row> cachedSearchable(Snapshot state) {
    if (state.version() != cachedVersion) {
      if (cached != null) {
        cached.unpersist(false);
      }
      cached =
          stateAt(spark, state)
              .selectExpr(Tables.SEARCH_COLUMNS)
              .persist(StorageLevel.MEMORY_AND_DISK());
      cachedVersion = state.version();
    }
    return cached;
  }

  /** Drops the in-memory copy of the state table. */
  synchronized void uncache() {
    if (cached != null) {
      cached.unpersist(false);
      cached = null;
      cachedVersion = -1;
    }
  }

  private Dataset<Row> stateAt(SparkSession session, Snapshot state) {
    return session
        .read()
        .format("delta")
        .option("versionAsOf", state.version())
        .load(tables.path(Tables.RUN_STATE));
  }

  /** The journal version the state reflects, -1 before the first refresh. */
  long watermark() {
    return watermark(log(Tables.RUN_STATE));
  }

  private static long watermark(Snapshot state) {
    Option<Object> version = state.transactions().get(APP_ID);
    return version.isDefined() ? (Long) version.get() : -1L;
  }

  private Snapshot log(String table) {
    return DeltaLog.forTable(spark, tables.path(table))
        .update(false, Option.empty(), Option.empty());
  }
}
