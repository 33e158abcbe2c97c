package io.runlake.delta.internal;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.delta.tables.DeltaTable;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.DeltaOperations;
import org.apache.spark.sql.delta.OptimisticTransaction;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.AddFile;
import org.apache.spark.sql.delta.actions.FileAction;
import org.apache.spark.sql.types.StructType;

/**
 * A small Delta table (experiments; later registered models) read whole into memory and changed by
 * serializable read-check-rewrite transactions.
 *
 * <p>Uniqueness rules (experiment names) need a conflict-detecting write, not a read followed by an
 * append: two creators would both see the name free. {@link #update} therefore reads every file of the
 * table inside one Delta {@link OptimisticTransaction} (which records the whole table as read), applies
 * the change in memory, and commits "remove every file read, add the new rows". Delta's conflict check
 * then makes the transaction serializable:
 *
 * <ol>
 *   <li>a concurrent rewrite committed first removed files we read: we get
 *       {@code ConcurrentDeleteReadException};
 *   <li>a concurrent commit added rows we should have seen: {@code ConcurrentAppendException};
 *   <li>either way nothing of ours was committed; {@link Retry} runs the whole read-check-rewrite again
 *       on the new snapshot, where the check sees the winner's change.
 * </ol>
 *
 * Reads are served from memory and reloaded only when the table's version moved.
 *
 * @param <T> the value type of one row
 */
final class SmallTable<T> {
  private final SparkSession spark;
  private final String path;
  private final StructType schema;
  private final Function<Row, T> decode;
  private final Function<T, Row> encode;
  private final String what;
  private long cachedVersion = -2;
  private List<T> cached = List.of();
  private long checkedAt;
  private final ReentrantLock updateLock =
      new ReentrantLock();

  /**
   * How long a read trusts the last version check. Creating a run reads its experiment; checking the
   * table's version costs a listing of its log, which adds up over thousands of runs. Changes made
   * through this object are seen at once; other processes' changes after at most this long.
   */
  static final long RECHECK_MS = 500;

  SmallTable(
      SparkSession spark,
      String path,
      StructType schema,
      Function<Row, T> decode,
      Function<T, Row> encode,
      String what) {
    this.spark = spark;
    this.path = path;
    this.schema = schema;
    this.decode = decode;
    this.encode = encode;
    this.what = what;
  }

  /** Every row at the table's latest version. */
  List<T> read() {
    return Internal.run(spark, this::readInternal);
  }

  private synchronized List<T> readInternal() {
    long now = System.currentTimeMillis();
    if (cachedVersion >= 0 && now - checkedAt < RECHECK_MS) {
      return cached;
    }
    checkedAt = now;
    Snapshot snapshot = log().update(false, Scala.none(), Scala.none());
    if (snapshot.version() != cachedVersion) {
      cached =
          decodeAll(
              log()
                  .createDataFrame(
                      snapshot, Scala.seq(snapshot.allFiles().collectAsList()), false, Scala.none()));
      cachedVersion = snapshot.version();
    }
    return cached;
  }

  /**
   * Replaces the rows with {@code change.apply(current rows)}, atomically and serializably. The change
   * may throw a {@link io.runlake.errors.RunlakeException} to refuse (the table is left as it was); it may
   * run more than once, each time on newer rows.
   */
  void update(String operation, UnaryOperator<List<T>> change) {
    // Threads of one JVM take turns: they would only conflict with each other in Delta and retry.
    // Other processes still race through Delta's conflict detection.
    updateLock.lock();
    try {
      Internal.run(spark, () -> {
        updateOnce(operation, change);
        return null;
      });
    } finally {
      updateLock.unlock();
    }
  }

  /** Every row as of a version of the table. */
  List<T> readAtVersion(long version) {
    return decodeAll(spark.read().format("delta").option("versionAsOf", version).load(path));
  }

  /**
   * Every row as of a time: at the newest commit made at or before it (Delta's own
   * {@code timestampAsOf} refuses times after the latest commit).
   *
   * @throws NoSuchElementException if the table had no commit yet at that time
   */
  List<T> readAsOf(Instant time) {
    List<Row> newest =
        DeltaTable.forPath(spark, path)
            .history()
            .where(
                col("timestamp")
                    .leq(lit(Timestamp.from(time))))
            .orderBy(col("version").desc())
            .select("version")
            .limit(1)
            .collectAsList();
    if (newest.isEmpty()) {
      throw new NoSuchElementException(this + " had no commit at " + time);
    }
    return readAtVersion(newest.get(0).getLong(0));
  }

  /**
   * The time version {@code version} was committed, or empty if the table never had that version.
   */
  Optional<Instant> commitTime(long version) {
    List<Row> rows =
        DeltaTable.forPath(spark, path)
            .history()
            .where(col("version").equalTo(version))
            .select("timestamp")
            .collectAsList();
    return rows.isEmpty()
        ? Optional.empty()
        : Optional.of(rows.get(0).getTimestamp(0).toInstant());
  }

  private void updateOnce(String operation, UnaryOperator<List<T>> change) {
    Retry.onConflict(
        operation,
        () -> {
          OptimisticTransaction txn = log().startTransaction();
          scala.collection.immutable.Seq<AddFile> read = txn.filterFiles();
          List<AddFile> files = Scala.list(read);
          List<T> current =
              decodeAll(log().createDataFrame(txn.snapshot(), read, false, Scala.none()));
          List<T> next = change.apply(current);
          List<Row> rows = new ArrayList<>(next.size());
          next.forEach(v -> rows.add(encode.apply(v)));
          List<Action> actions = new ArrayList<>();
          for (AddFile file : files) {
            actions.add(file.remove());
          }
          List<FileAction> written =
              Scala.list(txn.writeFiles(spark.createDataFrame(rows, schema).coalesce(1)));
          actions.addAll(written);
          txn.commit(Scala.seq(actions), DeltaOperations.ManualUpdate$.MODULE$);
          invalidate();
          return null;
        });
  }

  private synchronized void invalidate() {
    cachedVersion = -2;
  }

  private DeltaLog log() {
    return DeltaLog.forTable(spark, path);
  }

  private List<T> decodeAll(Dataset<Row> frame) {
    List<T> out = new ArrayList<>();
    for (Row row : frame.collectAsList()) {
      out.add(decode.apply(row));
    }
    return List.copyOf(out);
  }

  @Override
  public String toString() {
    return what + " at " + path;
  }
}
