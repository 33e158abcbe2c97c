package io.runlake.plugin.internal;

import io.runlake.Tracking;
import io.runlake.agent.RunlakeAgent;
import io.runlake.delta.AtomicLocalLogStore;
import io.runlake.plugin.Autolog;
import io.runlake.plugin.AutologConfig;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkEnv;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Switches runlake's autologging on for the application of {@code sc}. */
public final class Autologging {
  private static final Logger LOG = LoggerFactory.getLogger(Autologging.class);
  private static final String DELTA_EXTENSION = "io.delta.sql.DeltaSparkSessionExtension";
  private static final String RUNLAKE_EXTENSION = "io.runlake.scoring.RunlakeExtensions";

  private Autologging() {}

  /**
   * Starts recording the application of {@code sc} as {@code config} says, until {@link
   * Session#close} or the application's end. The plugin calls this as the application starts; an
   * application that did not start with the plugin can call it itself.
   */
  public static Session start(SparkContext sc, AutologConfig config) {
    configureSessions(SparkEnv.get() != null ? SparkEnv.get().conf() : null);
    PluginState state = PluginState.start(sc, config);
    SparkEvents events = new SparkEvents(state);
    sc.addSparkListener(events);
    ShutdownSignals.install();
    Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler(
        (thread, error) -> {
          if (thread.getName().equals("main")) {
            state.uncaught = error;
          }
          if (previous != null) {
            previous.uncaughtException(thread, error);
          } else {
            System.err.print("Exception in thread \"" + thread.getName() + "\" ");
            error.printStackTrace();
          }
        });
    // Before Spark's own hooks (which stop the context at 40): writes still work at 75.
    org.apache.hadoop.util.ShutdownHookManager.get().addShutdownHook(() -> state.finish(null), 75);
    if (config.mllib() || config.app()) {
      boolean agent = RunlakeAgent.isInstalled() || (config.attachAgent() && RunlakeAgent.install());
      if (agent) {
        RunlakeAgent.setHandler(new MllibRecorder(state));
      }
    }
    LOG.info("runlake autologging on (agent {})", RunlakeAgent.isInstalled() ? "installed" : "absent");
    return new Session(sc, state, events);
  }

  /** Autologging switched on by {@link #start}; closing it ends the application's run and stops recording. */
  public static final class Session implements Autolog.Session {
    private final SparkContext sc;
    private final PluginState state;
    private final SparkEvents events;

    private Session(SparkContext sc, PluginState state, SparkEvents events) {
      this.sc = sc;
      this.state = state;
      this.events = events;
    }

    @Override
    public void flush() {
      state.drain();
      Tracking tracking = state.tracking();
      if (tracking != null) {
        tracking.flush();
      }
    }

    @Override
    public void close() {
      state.finish(null);
      sc.removeSparkListener(events);
      if (PluginState.clear(state) && RunlakeAgent.isInstalled()) {
        RunlakeAgent.setHandler(null);
      }
    }
  }

  /**
   * Stops recording MLlib fits, evaluations and query lineage until {@link #resume}; the application's
   * run and its metrics go on. A fit already under way when this is called is still logged.
   */
  public static void pause() {
    PluginState state = PluginState.current();
    if (state != null) {
      state.paused = true;
    }
  }

  /** Records fits, evaluations and lineage again after {@link #pause}. */
  public static void resume() {
    PluginState state = PluginState.current();
    if (state != null) {
      state.paused = false;
    }
  }

  /** Called as the context stops: too late to write; {@link PluginState#finish} ran before. */
  public static void stop() {
    PluginState state = PluginState.current();
    if (state != null && !state.isFinished()) {
      LOG.warn(
          "runlake could not record the end of this application before Spark stopped (no agent to"
              + " see SparkContext.stop coming); its run stays RUNNING until marked stale.");
    }
  }

  /**
   * Sessions created after this point get Delta's SQL extension (runlake stores are Delta tables),
   * runlake's scoring functions when they are on the class path, and safe local commits, unless the
   * application set its own.
   */
  private static void configureSessions(SparkConf conf) {
    if (conf == null) {
      return;
    }
    String extensions = conf.get("spark.sql.extensions", "");
    StringBuilder add = new StringBuilder(extensions);
    if (!extensions.contains(DELTA_EXTENSION)) {
      add.append(add.length() > 0 ? "," : "").append(DELTA_EXTENSION);
    }
    if (!extensions.contains(RUNLAKE_EXTENSION) && onClassPath(RUNLAKE_EXTENSION)) {
      add.append(",").append(RUNLAKE_EXTENSION);
    }
    conf.set("spark.sql.extensions", add.toString());
    if (!conf.contains("spark.sql.catalog.spark_catalog")) {
      conf.set("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
    }
    if (!conf.contains("spark.delta.logStore.file.impl")) {
      conf.set("spark.delta.logStore.file.impl", AtomicLocalLogStore.class.getName());
    }
  }

  private static boolean onClassPath(String name) {
    try {
      Class.forName(name, false, Autologging.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
