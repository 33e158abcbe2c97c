package io.runlake.delta.internal;

import static org.apache.spark.sql.functions.col;

import io.delta.tables.DeltaTable;
import io.runlake.errors.RunlakeException;
import io.runlake.tracking.internal.TrackingErrors;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * The buffered writer of the {@code events} journal: calls append in memory and return at once; a flush
 * turns everything buffered into one Delta blind append.
 *
 * <p>Flushes happen when {@link #flush()} is called (the durability point callers wait on), when the
 * buffer reaches its size trigger, and on a timer. Durability and exactly-once, case by case:
 *
 * <ol>
 *   <li>Each commit is marked with this writer's id and the batch number in its commit info
 *       ({@code userMetadata}). A batch is numbered once and keeps its number until it is known
 *       committed.
 *   <li>A commit attempt that fails may still have committed (the "state unknown" case: the log entry
 *       was written, the answer lost). Before trying again the writer looks for its marker in the
 *       commits made since the attempt started; if it is there, the batch is done. So nothing is written
 *       twice. (Delta's own idempotent-write marker, {@code txnAppId}, would do the same check on every
 *       commit, and costs about 0.4 s per commit here; this check runs only after a failure.)
 *   <li>A batch that still fails after {@link Retry#MAX_ATTEMPTS} stays pending: {@link #flush()} throws
 *       and the next flush retries the same batch before anything newer. So nothing acknowledged by an
 *       earlier flush is lost, and nothing is reordered.
 *   <li>Concurrent {@link #flush()} callers share commits (group commit): each waits until the events
 *       buffered before its call are durable, whoever committed them.
 * </ol>
 */
final class Journal implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Journal.class);

  private final SparkSession spark;
  private final String path;
  private final String writerId = UUID.randomUUID().toString();
  private final int maxBatch;
  private final LongConsumer afterCommit;
  private final ScheduledExecutorService timer;

  private final Object bufferLock = new Object();
  // Groups of events from one append call: a group is never split across commits, so a logBatch is
  // durable all or nothing.
  private final ArrayDeque<List<Event>> buffer = new ArrayDeque<>();
  private long buffered;
  private long accepted;

  private final ReentrantLock commitLock = new ReentrantLock();
  private volatile long durable;
  private long nextBatch = 1;
  private Pending pending;

  private record Pending(long batch, List<Event> events) {}

  /**
   * @param maxBatch the size trigger, and the most events one commit carries
   * @param interval how often buffered events are committed without a flush call
   * @param afterCommit called with the number of events made durable after each commit
   */
  Journal(
      SparkSession spark, String path, int maxBatch, Duration interval, LongConsumer afterCommit) {
    this.spark = spark;
    this.path = path;
    this.maxBatch = maxBatch;
    this.afterCommit = afterCommit;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "runlake-journal-flusher");
              t.setDaemon(true);
              return t;
            });
    long ms = Math.max(1, interval.toMillis());
    timer.scheduleWithFixedDelay(this::backgroundFlush, ms, ms, TimeUnit.MILLISECONDS);
  }

  String writerId() {
    return writerId;
  }

  /** Buffers events; they are durable, all of them or none, after the next {@link #flush()}. */
  void append(List<Event> events) {
    if (events.isEmpty()) {
      return;
    }
    boolean full;
    synchronized (bufferLock) {
      buffer.addLast(List.copyOf(events));
      buffered += events.size();
      accepted += events.size();
      full = buffered >= maxBatch;
    }
    if (full) {
      timer.execute(this::backgroundFlush);
    }
  }

  /** Makes every event appended before this call durable. */
  void flush() {
    long target;
    synchronized (bufferLock) {
      target = accepted;
    }
    commitLock.lock();
    try {
      while (durable < target) {
        commitNextBatch();
      }
    } finally {
      commitLock.unlock();
    }
  }

  /** Events accepted but not yet durable. */
  long backlog() {
    synchronized (bufferLock) {
      return accepted - durable;
    }
  }

  private void commitNextBatch() {
    if (pending == null) {
      List<Event> events = new ArrayList<>();
      synchronized (bufferLock) {
        while (!buffer.isEmpty()
            && (events.isEmpty() || events.size() + buffer.peekFirst().size() <= maxBatch)) {
          List<Event> group = buffer.pollFirst();
          events.addAll(group);
          buffered -= group.size();
        }
      }
      pending = new Pending(nextBatch++, events);
    }
    Pending batch = pending;
    List<Row> rows = new ArrayList<>(batch.events().size());
    long seq = 0;
    for (Event e : batch.events()) {
      rows.add(e.toRow(writerId, seq++));
    }
    String marker = "runlake-journal " + writerId + " " + batch.batch();
    long before = version();
    Retry.idempotent(
        "appending " + rows.size() + " tracking events to " + path,
        () -> Internal.run(spark, () -> {
          if (committedSince(before, marker)) {
            return null;
          }
          spark
              .createDataFrame(rows, Tables.EVENTS_SCHEMA)
              .coalesce(1)
              .write()
              .format("delta")
              .mode("append")
              .option("userMetadata", marker)
              .save(path);
          return null;
        }));
    pending = null;
    durable += batch.events().size();
    afterCommit.accept(batch.events().size());
  }

  private long version() {
    return DeltaLog.forTable(spark, path).update(false, Option.empty(), Option.empty()).version();
  }

  /** Whether a commit after version {@code before} carries {@code marker}. */
  private boolean committedSince(long before, String marker) {
    long latest = version();
    if (latest <= before) {
      return false;
    }
    return DeltaTable.forPath(spark, path)
            .history((int) Math.min(Integer.MAX_VALUE, latest - before))
            .where(col("userMetadata").equalTo(marker))
            .limit(1)
            .count()
        > 0;
  }

  private void backgroundFlush() {
    try {
      flush();
    } catch (RunlakeException e) {
      LOG.warn("Background flush failed; the events stay buffered and are retried: {}", e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("Background flush failed; the events stay buffered and are retried", e);
    }
  }

  /** Runs {@code task} every {@code period} on this journal's timer thread. */
  void every(Duration period, Runnable task) {
    long ms = Math.max(1, period.toMillis());
    timer.scheduleWithFixedDelay(
        () -> {
          try {
            task.run();
          } catch (RuntimeException e) {
            LOG.warn("Periodic runlake task failed", e);
          }
        },
        ms,
        ms,
        TimeUnit.MILLISECONDS);
  }

  /** Stops the timer, then flushes what is left. */
  @Override
  public void close() {
    timer.shutdown();
    try {
      timer.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      flush();
    } catch (RunlakeException e) {
      throw e;
    } catch (RuntimeException e) {
      throw TrackingErrors.internal("flushing the journal on close", e);
    }
  }
}
