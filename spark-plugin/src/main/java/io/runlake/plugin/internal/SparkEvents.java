package io.runlake.plugin.internal;

import io.runlake.delta.internal.Internal;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.JobFailed;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionEnd;

/**
 * The plugin's listener: sums the application's jobs, stages and tasks, and hands each finished SQL
 * execution's plan to lineage. It only counts and queues: anything that touches the store runs on the
 * plugin's own thread, so the listener bus is never held up.
 */
final class SparkEvents extends SparkListener {
  private static final String EXECUTION_ID = "spark.sql.execution.id";

  private final PluginState state;
  private final Set<Integer> internalStages = ConcurrentHashMap.newKeySet();
  private final Set<Integer> internalJobs = ConcurrentHashMap.newKeySet();
  private final Set<String> internalExecutions = ConcurrentHashMap.newKeySet();
  private final Map<String, String> executionRuns = new ConcurrentHashMap<>();
  private final Map<Integer, Long> jobStarts = new ConcurrentHashMap<>();

  SparkEvents(PluginState state) {
    this.state = state;
  }

  @Override
  public void onJobStart(SparkListenerJobStart job) {
    Properties p = job.properties();
    String execution = p == null ? null : p.getProperty(EXECUTION_ID);
    if (p != null && "true".equals(p.getProperty(Internal.PROPERTY))) {
      internalJobs.add(job.jobId());
      scala.jdk.javaapi.CollectionConverters.asJava(job.stageIds()).forEach(s -> internalStages.add((Integer) s));
      if (execution != null) {
        internalExecutions.add(execution);
      }
      return;
    }
    jobStarts.put(job.jobId(), job.time());
    state.metrics.jobs.incrementAndGet();
    String run = p == null ? null : p.getProperty(PluginState.RUN_PROPERTY);
    if (execution != null && run != null) {
      executionRuns.putIfAbsent(execution, run);
    }
  }

  @Override
  public void onJobEnd(SparkListenerJobEnd job) {
    Long start = jobStarts.remove(job.jobId());
    if (internalJobs.remove(job.jobId()) || start == null) {
      return;
    }
    state.metrics.jobTimeMs.addAndGet(Math.max(0, job.time() - start));
    if (job.jobResult() instanceof JobFailed) {
      state.metrics.failedJobs.incrementAndGet();
    }
  }

  @Override
  public void onStageCompleted(SparkListenerStageCompleted stage) {
    if (!internalStages.contains(stage.stageInfo().stageId())) {
      state.metrics.stages.incrementAndGet();
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd task) {
    if (internalStages.contains(task.stageId())) {
      return;
    }
    state.metrics.tasks.incrementAndGet();
    if (!task.taskInfo().successful()) {
      state.metrics.failedTasks.incrementAndGet();
    }
    TaskMetrics m = task.taskMetrics();
    if (m != null) {
      state.metrics.taskTimeMs.addAndGet(m.executorRunTime());
      state.metrics.bytesRead.addAndGet(m.inputMetrics().bytesRead());
      state.metrics.recordsRead.addAndGet(m.inputMetrics().recordsRead());
      state.metrics.bytesWritten.addAndGet(m.outputMetrics().bytesWritten());
      state.metrics.recordsWritten.addAndGet(m.outputMetrics().recordsWritten());
      state.metrics.shuffleBytesRead.addAndGet(m.shuffleReadMetrics().totalBytesRead());
      state.metrics.shuffleBytesWritten.addAndGet(m.shuffleWriteMetrics().bytesWritten());
    }
  }

  @Override
  public void onOtherEvent(SparkListenerEvent event) {
    if (!(event instanceof SparkListenerSQLExecutionEnd end) || !state.config.lineage()) {
      return;
    }
    String id = Long.toString(end.executionId());
    String run = executionRuns.remove(id);
    if (internalExecutions.remove(id)) {
      return;
    }
    QueryExecution qe = end.qe();
    if (qe == null || state.paused) {
      return;
    }
    state.submit(
        "recording lineage",
        () -> {
          SparkSession spark = qe.sparkSession();
          String target = run != null ? run : state.appRunId();
          state.recordLineage(target, Lineage.of(spark, qe, end.time()));
        });
  }
}
