package io.runlake;

import io.runlake.errors.ErrorCode;
import io.runlake.errors.RunlakeException;
import io.runlake.tracking.Experiment;
import io.runlake.tracking.LifecycleStage;
import io.runlake.tracking.Metric;
import io.runlake.tracking.Param;
import io.runlake.tracking.RunStatus;
import io.runlake.tracking.RunTag;
import io.runlake.tracking.TrackingStore;
import io.runlake.plugin.internal.ShutdownSignals;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.LoggerFactory;

/**
 * MLflow's fluent tracking API in Java: a current experiment, an active run per thread (a stack, for
 * nested runs), and logging calls on the active run. Obtain one from {@link Runlake}. Thread-safe.
 *
 * <p>Each thread has its own active-run stack; threads started from a thread with an active run begin
 * with a copy of its stack, so work fanned out to a pool logs into the run that started it.
 */
public final class Tracking implements AutoCloseable {
  private final TrackingStore store;
  private final Runnable onClose;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile String experimentId = TrackingStore.DEFAULT_EXPERIMENT_ID;
  private final InheritableThreadLocal<Deque<ActiveRun>> active =
      new InheritableThreadLocal<>() {
        @Override
        protected Deque<ActiveRun> initialValue() {
          return new ArrayDeque<>();
        }

        @Override
        protected Deque<ActiveRun> childValue(Deque<ActiveRun> parent) {
          return new ArrayDeque<>(parent);
        }
      };

  private final Set<ActiveRun> live = ConcurrentHashMap.newKeySet();

  Tracking(TrackingStore store, Runnable onClose) {
    this.store = store;
    this.onClose = onClose;
    ShutdownSignals.install();
    // Runs before the store's own hook (70) flushes, and before Spark stops (40). A tracking opened
    // while the JVM already shuts down (the plugin recording a failed application) has no runs to end.
    try {
      org.apache.hadoop.util.ShutdownHookManager.get().addShutdownHook(this::endLiveRunsAtShutdown, 75);
    } catch (IllegalStateException shuttingDown) {
      // Nothing to end at shutdown: no run can have started yet.
    }
  }

  /** The low-level client: every tracking operation, on any run or experiment. */
  public TrackingStore client() {
    return store;
  }

  /** The model registry of this tracking's store. */
  public io.runlake.registry.ModelRegistry registry() {
    return store.registry();
  }

  /**
   * Makes the experiment named {@code name} current, creating it if it does not exist (MLflow's
   * {@code set_experiment}). Returns its id.
   *
   * @throws RunlakeException INVALID_STATE if the experiment is deleted
   */
  public String setExperiment(String name) {
    Experiment experiment =
        store.findExperimentByName(name).orElseGet(() -> createOrFind(name));
    if (experiment.lifecycleStage() == LifecycleStage.DELETED) {
      throw new RunlakeException(
          ErrorCode.INVALID_STATE,
          "Cannot set experiment '" + name + "' as current: it is deleted. Restore it with"
              + " client().restoreExperiment(\"" + experiment.experimentId() + "\") or choose"
              + " another name.");
    }
    experimentId = experiment.experimentId();
    return experimentId;
  }

  private Experiment createOrFind(String name) {
    try {
      return store.getExperiment(store.createExperiment(name, null, Map.of()));
    } catch (RunlakeException e) {
      // Case: another writer created it after our lookup. Theirs is the experiment.
      if (e.code() == ErrorCode.RESOURCE_ALREADY_EXISTS) {
        return store.findExperimentByName(name).orElseThrow(() -> e);
      }
      throw e;
    }
  }

  /** Makes the experiment with this id current. */
  public void setExperimentId(String id) {
    store.getExperiment(id);
    experimentId = id;
  }

  /** The current experiment's id ({@code 0}, the Default experiment, until one is set). */
  public String experimentId() {
    return experimentId;
  }

  /** Describes a run to start: {@code tracking.newRun().name("x").tag("k", "v").nested().start()}. */
  public RunBuilder newRun() {
    return new RunBuilder(this);
  }

  /** Starts a run with a generated name in the current experiment and makes it active. */
  public ActiveRun startRun() {
    return newRun().start();
  }

  public ActiveRun startRun(String name) {
    return newRun().name(name).start();
  }

  /**
   * Runs {@code body} in a new run, ended FINISHED when the body returns and FAILED when it throws (the
   * exception is recorded on the run and rethrown).
   */
  public void withRun(String name, Consumer<ActiveRun> body) {
    callInRun(
        name,
        run -> {
          body.accept(run);
          return null;
        });
  }

  /** As {@link #withRun}, returning the body's result. */
  public <T> T callInRun(String name, Function<ActiveRun, T> body) {
    ActiveRun run = startRun(name);
    try {
      T result = body.apply(run);
      run.end(RunStatus.FINISHED);
      return result;
    } catch (RuntimeException | Error e) {
      run.fail(e);
      throw e;
    }
  }

  /** The calling thread's active run, if any. */
  public Optional<ActiveRun> activeRun() {
    return Optional.ofNullable(active.get().peek());
  }

  /** The active run, or a new one when there is none (as MLflow's fluent logging calls do). */
  private ActiveRun activeOrStart() {
    return activeRun().orElseGet(this::startRun);
  }

  public Tracking logMetric(String key, double value) {
    activeOrStart().logMetric(key, value);
    return this;
  }

  public Tracking logMetric(String key, double value, long step) {
    activeOrStart().logMetric(key, value, step);
    return this;
  }

  public Tracking logParam(String key, Object value) {
    activeOrStart().logParam(key, value);
    return this;
  }

  public Tracking logParams(Map<String, ?> params) {
    activeOrStart().logParams(params);
    return this;
  }

  public Tracking setTag(String key, String value) {
    activeOrStart().setTag(key, value);
    return this;
  }

  /** Ends the active run as FINISHED. */
  public void endRun() {
    endRun(RunStatus.FINISHED);
  }

  public void endRun(RunStatus status) {
    activeRun().ifPresent(run -> run.end(status));
  }

  /** Makes every write accepted so far durable. */
  public void flush() {
    store.flush();
  }

  void requireNoActiveRun() {
    Deque<ActiveRun> stack = active.get();
    if (!stack.isEmpty()) {
      throw new RunlakeException(
          ErrorCode.INVALID_STATE,
          "Run " + stack.peek().id() + " is already active in this thread. End it first, or start"
              + " a nested run with newRun().nested().start().");
    }
  }

  ActiveRun push(ActiveRun run) {
    active.get().push(run);
    live.add(run);
    return run;
  }

  void pop(ActiveRun run) {
    active.get().remove(run);
    live.remove(run);
  }

  /**
   * Ends the runs still active when the JVM shuts down: KILLED if a signal (SIGTERM, SIGINT, SIGHUP)
   * is stopping it, FINISHED on a normal exit, as MLflow ends its active run at interpreter exit.
   */
  void endLiveRunsAtShutdown() {
    RunStatus status = ShutdownSignals.received().isPresent() ? RunStatus.KILLED : RunStatus.FINISHED;
    for (ActiveRun run : List.copyOf(live)) {
      try {
        run.end(status);
      } catch (RuntimeException e) {
        LoggerFactory.getLogger(Tracking.class).warn("Could not end run {} at shutdown", run.id(), e);
      }
    }
  }

  TrackingStore store() {
    return store;
  }

  boolean isClosed() {
    return closed.get();
  }

  /** Ends this thread's active runs as FINISHED, then flushes and closes the store. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Deque<ActiveRun> stack = active.get();
    while (!stack.isEmpty()) {
      stack.peek().end(RunStatus.FINISHED);
    }
    onClose.run();
    store.close();
  }

  static void requireKey(String what, String key) {
    if (key == null) {
      throw new RunlakeException(
          ErrorCode.INVALID_PARAMETER_VALUE, "Missing value for required parameter '" + what + "'.");
    }
  }

  static Metric metric(String key, double value, long step) {
    requireKey("key", key);
    return new Metric(key, value, System.currentTimeMillis(), step);
  }

  static Param param(String key, Object value) {
    requireKey("key", key);
    return new Param(key, value == null ? null : String.valueOf(value));
  }

  static RunTag tag(String key, String value) {
    requireKey("key", key);
    return new RunTag(key, value);
  }
}
