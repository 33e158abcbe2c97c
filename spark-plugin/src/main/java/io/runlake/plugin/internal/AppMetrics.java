package io.runlake.plugin.internal;

import io.runlake.tracking.Metric;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** The application's Spark work, summed from listener events (runlake's own jobs left out). */
final class AppMetrics {
  final AtomicLong jobs = new AtomicLong();
  final AtomicLong failedJobs = new AtomicLong();
  final AtomicLong stages = new AtomicLong();
  final AtomicLong tasks = new AtomicLong();
  final AtomicLong failedTasks = new AtomicLong();
  final AtomicLong jobTimeMs = new AtomicLong();
  final AtomicLong taskTimeMs = new AtomicLong();
  final AtomicLong bytesRead = new AtomicLong();
  final AtomicLong bytesWritten = new AtomicLong();
  final AtomicLong recordsRead = new AtomicLong();
  final AtomicLong recordsWritten = new AtomicLong();
  final AtomicLong shuffleBytesRead = new AtomicLong();
  final AtomicLong shuffleBytesWritten = new AtomicLong();

  List<Metric> snapshot(long now) {
    List<Metric> m = new ArrayList<>();
    add(m, "spark.jobs", jobs, now);
    add(m, "spark.jobs_failed", failedJobs, now);
    add(m, "spark.stages", stages, now);
    add(m, "spark.tasks", tasks, now);
    add(m, "spark.tasks_failed", failedTasks, now);
    add(m, "spark.job_time_ms", jobTimeMs, now);
    add(m, "spark.task_time_ms", taskTimeMs, now);
    add(m, "spark.bytes_read", bytesRead, now);
    add(m, "spark.bytes_written", bytesWritten, now);
    add(m, "spark.records_read", recordsRead, now);
    add(m, "spark.records_written", recordsWritten, now);
    add(m, "spark.shuffle_bytes_read", shuffleBytesRead, now);
    add(m, "spark.shuffle_bytes_written", shuffleBytesWritten, now);
    return m;
  }

  private static void add(List<Metric> m, String key, AtomicLong v, long now) {
    m.add(new Metric(key, v.get(), now, 0));
  }
}
