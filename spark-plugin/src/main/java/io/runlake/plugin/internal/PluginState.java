package io.runlake.plugin.internal;

import io.runlake.Runlake;
import io.runlake.Tracking;
import io.runlake.agent.RunlakeAgent;
import io.runlake.delta.DeltaStoreOptions;
import io.runlake.delta.DeltaStores;
import io.runlake.delta.internal.Internal;
import io.runlake.plugin.AutologConfig;
import io.runlake.plugin.internal.ShutdownSignals;
import io.runlake.tracking.LineageRecord;
import io.runlake.tracking.Param;
import io.runlake.tracking.Run;
import io.runlake.tracking.RunStatus;
import io.runlake.tracking.RunTag;
import io.runlake.tracking.TrackingStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * What runlake's Spark plugin keeps for one application: its settings, the store (opened once a
 * SparkSession exists), the application's run, its metrics, and one background thread that does every
 * write, so that neither the listener bus nor the user's threads wait on Delta.
 */
public final class PluginState {
  private static final Logger LOG = LoggerFactory.getLogger(PluginState.class);
  /** Local property naming the run the current thread's Spark jobs belong to. */
  public static final String RUN_PROPERTY = "runlake.run_id";
  private static final java.time.Duration FLUSH_INTERVAL = java.time.Duration.ofSeconds(15);

  private static volatile PluginState current;

  final AutologConfig config;
  final SparkContext sc;
  final AppMetrics metrics = new AppMetrics();
  private final ExecutorService worker;
  private final AtomicBoolean finished = new AtomicBoolean();
  private final Map<String, Set<String>> datasourceInfo = new HashMap<>();
  private final Map<String, Set<LineageRecord>> lineageSeen = new HashMap<>();
  private volatile Tracking tracking;
  private volatile String appRunId;
  /** Whether the plugin opened its tracking (and so closes it), rather than sharing the application's. */
  private volatile boolean ownsTracking;
  volatile Throwable uncaught;
  /** Set by {@link Autologging#pause}: new fits, evaluations and queries are not recorded. */
  volatile boolean paused;

  private PluginState(SparkContext sc, AutologConfig config) {
    this.sc = sc;
    this.config = config;
    this.worker =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "runlake-autolog");
              t.setDaemon(true);
              t.setContextClassLoader(PluginState.class.getClassLoader());
              return t;
            });
    worker.execute(() -> sc.setLocalProperty(Internal.PROPERTY, "true"));
  }

  static synchronized PluginState start(SparkContext sc, AutologConfig config) {
    current = new PluginState(sc, config);
    return current;
  }

  /** Forgets {@code state} if it is the current one; returns whether it was. */
  static synchronized boolean clear(PluginState state) {
    if (current != state) {
      return false;
    }
    current = null;
    return true;
  }

  /** The running application's state, or null when the plugin is not on. */
  public static PluginState current() {
    return current;
  }

  /**
   * The application's tracking, opening the store and the application run at the first call made
   * once a SparkSession exists; null before that, or when the store cannot be opened.
   */
  synchronized Tracking tracking() {
    if (tracking != null || finished.get()) {
      return tracking;
    }
    return open();
  }

  private synchronized Tracking open() {
    if (tracking != null) {
      return tracking;
    }
    SparkSession session =
        SparkSession.getActiveSession().orElse(SparkSession::getDefaultSession).getOrElse(() -> null);
    if (session == null) {
      return null;
    }
    try {
      String root = config.store() != null ? config.store() : DeltaStores.defaultRoot(session);
      ownsTracking = !Runlake.isOpen(session, root);
      DeltaStoreOptions.Builder options = DeltaStoreOptions.builder(root).database(config.database()).shutdownHook(false);
      if (RunlakeAgent.isInstalled()) {
        // With the agent, autologging makes its writes durable itself: each fit's run at the fit's end,
        // the rest when SparkContext.stop is called. A long flush interval keeps the store's commits
        // from competing with a fit for the driver's cores; a fit longer than it still shows RUNNING.
        // Without the agent nothing sees the stop coming, and the periodic flush is what saves writes.
        options.flushInterval(FLUSH_INTERVAL);
      }
      tracking = Runlake.tracking(session, options.build());
      if (config.experiment() != null) {
        tracking.setExperiment(config.experiment());
      }
      appRunId = startApplicationRun(tracking.client());
    } catch (RuntimeException e) {
      LOG.warn("runlake could not open its store; this application is not tracked", e);
    }
    return tracking;
  }

  String appRunId() {
    tracking();
    return appRunId;
  }

  private String startApplicationRun(TrackingStore store) {
    if (!config.app()) {
      return null;
    }
    List<RunTag> tags = new ArrayList<>();
    tags.add(new RunTag("runlake.source", "spark-plugin"));
    tags.add(new RunTag("runlake.app_id", sc.applicationId()));
    tags.add(new RunTag("mlflow.source.name", sc.appName()));
    String parent = sc.getConf().get("spark.runlake.parentRunId", null);
    if (parent != null) {
      tags.add(new RunTag("mlflow.parentRunId", parent));
    }
    Run run = store.createRun(tracking.experimentId(), sc.sparkUser(), sc.startTime(), tags, sc.appName());
    List<Param> params = new ArrayList<>();
    params.add(new Param("spark.app.name", sc.appName()));
    params.add(new Param("spark.app.id", sc.applicationId()));
    params.add(new Param("spark.version", sc.version()));
    params.add(new Param("spark.master", sc.master()));
    for (Tuple2<String, String> kv : sc.getConf().getAll()) {
      String key = kv._1();
      if (key.startsWith("spark.") && !AutologConfig.isSecret(key) && !key.equals("spark.app.name")
          && !key.equals("spark.app.id") && !key.equals("spark.master") && params.size() < 100) {
        String value = kv._2();
        params.add(new Param(key, value.length() > 6000 ? value.substring(0, 6000) : value));
      }
    }
    store.logBatch(run.info().runId(), List.of(), params, List.of());
    return run.info().runId();
  }

  /** Runs {@code task} on the plugin's thread; a failure is logged, never thrown to the caller. */
  void submit(String what, Runnable task) {
    if (finished.get()) {
      return;
    }
    worker.execute(
        () -> {
          try {
            if (config.injectFailure()) {
              throw new IllegalStateException("failure injected by spark.runlake.autolog.test.injectFailure");
            }
            task.run();
          } catch (Throwable t) {
            failed(what, t);
          }
        });
  }

  /**
   * Logs a failure of autologging, which the application never sees: the first few in full, then
   * only a count, so a failure repeated on every fit does not flood the driver's log.
   */
  void failed(String what, Throwable t) {
    int n = failures.incrementAndGet();
    if (n <= 10) {
      LOG.warn("runlake autologging failed while {}; the application is not affected", what, t);
    } else if (n % 100 == 0) {
      LOG.warn("runlake autologging has failed {} times; the last while {}: {}", n, what, t.toString());
    }
  }

  /** Records what a run read and wrote, once per source, as lineage, dataset inputs and MLflow's tag. */
  void recordLineage(String runId, Set<LineageRecord> records) {
    Tracking t = tracking();
    if (t == null || runId == null) {
      return;
    }
    io.runlake.delta.internal.DeltaTrackingStore own =
        t.client() instanceof io.runlake.delta.internal.DeltaTrackingStore d ? d : null;
    List<LineageRecord> fresh = new ArrayList<>();
    synchronized (lineageSeen) {
      Set<LineageRecord> seen = lineageSeen.computeIfAbsent(runId, k -> new LinkedHashSet<>());
      for (LineageRecord r : records) {
        if (own != null && own.ownsPath(r.path())) {
          continue; // runlake's own tables
        }
        if (seen.add(r)) {
          fresh.add(r);
        }
      }
    }
    if (fresh.isEmpty()) {
      return;
    }
    TrackingStore store = t.client();
    store.logLineage(runId, fresh);
    List<io.runlake.tracking.DatasetInput> inputs = new ArrayList<>();
    Set<String> info;
    synchronized (datasourceInfo) {
      info = datasourceInfo.computeIfAbsent(runId, k -> new LinkedHashSet<>());
      for (LineageRecord r : fresh) {
        if (r.direction() == LineageRecord.Direction.READ) {
          info.add(Lineage.datasourceInfo(r));
          inputs.add(
              new io.runlake.tracking.DatasetInput(
                  r.table() != null ? r.table() : r.path().substring(r.path().lastIndexOf('/') + 1),
                  Integer.toHexString((r.path() + "@" + r.version()).hashCode()),
                  r.format(),
                  "{\"path\": \"" + r.path().replace("\"", "\\\"") + "\"" + (r.version() != null ? ", \"version\": " + r.version() : "") + "}",
                  null,
                  null,
                  "source"));
        }
      }
      info = new LinkedHashSet<>(info);
    }
    if (!inputs.isEmpty()) {
      store.logInputs(runId, inputs);
      store.setTag(runId, new RunTag("sparkDatasourceInfo", info.stream().collect(Collectors.joining("\n"))));
    }
  }

  /**
   * Ends the application's run (FAILED after an uncaught exception or a non-zero exit code, KILLED when a
   * signal stops the JVM, else FINISHED) with its metrics, and makes everything durable. Called while
   * Spark can still run jobs: as {@code SparkContext.stop} begins, or from a shutdown hook.
   */
  private final AtomicInteger failures = new AtomicInteger();

  void finish(Integer exitCode) {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    // Shutdown hooks run with the JVM's class loader, which lacks the jars given to spark-submit
    // (runlake's and Delta's among them): Spark finds data sources through the context loader.
    Thread thread = Thread.currentThread();
    ClassLoader loader = thread.getContextClassLoader();
    thread.setContextClassLoader(PluginState.class.getClassLoader());
    try {
      end(exitCode);
    } finally {
      thread.setContextClassLoader(loader);
    }
  }

  private void end(Integer exitCode) {
    drainListenerBus();
    worker.shutdown();
    try {
      if (!worker.awaitTermination(120, TimeUnit.SECONDS)) {
        LOG.warn("runlake autologging did not finish its pending work in 120 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    String before = sc.getLocalProperty(Internal.PROPERTY);
    sc.setLocalProperty(Internal.PROPERTY, "true");
    // An application that failed or was killed before its first tracked event still gets its run.
    Tracking t = tracking != null || !config.app() ? tracking : open();
    if (t == null) {
      sc.setLocalProperty(Internal.PROPERTY, before);
      return;
    }
    try {
      if (appRunId != null) {
        long now = System.currentTimeMillis();
        t.client().logBatch(appRunId, metrics.snapshot(now), List.of(), List.of());
        RunStatus status =
            ShutdownSignals.received().isPresent()
                ? RunStatus.KILLED
                : uncaught != null || (exitCode != null && exitCode != 0) ? RunStatus.FAILED : RunStatus.FINISHED;
        if (uncaught != null) {
          String message = uncaught.toString();
          t.client().setTag(appRunId, new RunTag("runlake.error", message.length() > 8000 ? message.substring(0, 8000) : message));
        }
        t.client().updateRun(appRunId, status, now, null);
      }
      if (ownsTracking) {
        t.close();
      } else {
        t.flush();
      }
    } catch (RuntimeException e) {
      LOG.warn("runlake could not record the end of the application", e);
    } finally {
      sc.setLocalProperty(Internal.PROPERTY, before);
    }
  }

  /**
   * Waits (up to 10 s) for the listener bus to deliver the events already posted, so the lineage of
   * the application's last queries is recorded before the run ends.
   */
  private void drainListenerBus() {
    if (Thread.currentThread().getName().startsWith("spark-listener-group")) {
      return;
    }
    try {
      sc.listenerBus().waitUntilEmpty(10_000);
    } catch (Exception e) {
      LOG.debug("runlake could not wait for Spark's listener bus", e);
    }
  }

  /** The tracking, for tests that read back what autologging wrote. */
  public Tracking trackingForTests() {
    return tracking();
  }

  /**
   * Waits until the events Spark has posted so far have reached the plugin, and its thread has done
   * everything queued: after this, every fit, evaluation and query so far is logged.
   */
  public void drain() {
    if (finished.get()) {
      return;
    }
    drainListenerBus();
    try {
      worker.submit(() -> {}).get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("runlake autologging did not drain", e);
    }
  }

  boolean isFinished() {
    return finished.get();
  }
}
