package io.runlake.scoring.batch;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Reports a long scoring job's progress: tasks done of tasks submitted and rows read, at most every
 * {@code intervalMs}, from Spark's listener bus.
 */
final class Progress extends SparkListener implements AutoCloseable {
  private final SparkContext context;
  private final PrintStream out;
  private final long intervalMs;
  private final AtomicLong tasks = new AtomicLong();
  private final AtomicLong done = new AtomicLong();
  private final AtomicLong rows = new AtomicLong();
  private volatile long printedAt = System.currentTimeMillis();

  Progress(SparkContext context, PrintStream out, long intervalMs) {
    this.context = context;
    this.out = out;
    this.intervalMs = intervalMs;
    context.addSparkListener(this);
  }

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted stage) {
    tasks.addAndGet(stage.stageInfo().numTasks());
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd task) {
    done.incrementAndGet();
    if (task.taskMetrics() != null) {
      rows.addAndGet(task.taskMetrics().inputMetrics().recordsRead());
    }
    long now = System.currentTimeMillis();
    if (out != null && now - printedAt >= intervalMs) {
      printedAt = now;
      out.printf("scoring: %d/%d tasks done, %,d rows read%n", done.get(), tasks.get(), rows.get());
    }
  }

  long rowsRead() {
    return rows.get();
  }

  @Override
  public void close() {
    context.removeSparkListener(this);
  }
}
