package io.runlake.delta.internal;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.lit;

import io.runlake.delta.DeltaStoreOptions;
import io.runlake.registry.ModelRegistry;
import io.runlake.tracking.DatasetInput;
import io.runlake.tracking.Experiment;
import io.runlake.tracking.LifecycleStage;
import io.runlake.tracking.LineageRecord;
import io.runlake.tracking.Metric;
import io.runlake.tracking.Page;
import io.runlake.tracking.Param;
import io.runlake.tracking.Run;
import io.runlake.tracking.RunData;
import io.runlake.tracking.RunInfo;
import io.runlake.tracking.RunStatus;
import io.runlake.tracking.RunTag;
import io.runlake.tracking.TrackingStore;
import io.runlake.tracking.ViewType;
import io.runlake.tracking.internal.RunNames;
import io.runlake.tracking.internal.TrackingErrors;
import io.runlake.tracking.internal.Validation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link TrackingStore} on Delta tables: experiments in a small serializable table, every run write
 * in the append-only journal (buffered, one blind append per flush), and a run state table folded from
 * the journal for reads and SQL.
 */
public final class DeltaTrackingStore implements TrackingStore {
  private static final Logger LOG = LoggerFactory.getLogger(DeltaTrackingStore.class);
  static final String RUN_NAME_TAG = "mlflow.runName";

  private final SparkSession spark;
  private final DeltaStoreOptions options;
  private final Tables tables;
  private final SmallTable<Experiment> experiments;
  private final Journal journal;
  private final RunState state;
  private final DeltaModelRegistry registry;
  private final Map<String, KnownRun> known = new ConcurrentHashMap<>();
  private final Set<String> heartbeating = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService refresher;
  private final AtomicBoolean refreshScheduled = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  public DeltaTrackingStore(SparkSession spark, DeltaStoreOptions options, String root) {
    this.spark = spark;
    this.options = options;
    this.tables = new Tables(spark, root, options.database());
    tables.createIfMissing();
    tables.registerInCatalog();
    this.experiments =
        new SmallTable<>(
            spark,
            tables.path(Tables.EXPERIMENTS),
            Tables.EXPERIMENTS_SCHEMA,
            Rows::experiment,
            Rows::experimentRow,
            "experiments");
    this.state = new RunState(spark, tables, options.keyIndexRowsPerFile(), options.keyIndexMinStateFiles());
    this.registry = new DeltaModelRegistry(spark, tables);
    this.refresher =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "runlake-state-refresher");
              t.setDaemon(true);
              return t;
            });
    this.journal =
        new Journal(
            spark,
            tables.path(Tables.EVENTS),
            options.maxBatch(),
            options.flushInterval(),
            committed -> scheduleRefresh());
    journal.every(options.heartbeatInterval(), this::sendHeartbeats);
    ensureDefaultExperiment();
  }

  /** The model registry kept in this store's tables. */
  @Override
  public ModelRegistry registry() {
    return registry;
  }

  /** The store root, as a Hadoop file system URI. */
  public String root() {
    return tables.root();
  }

  /**
   * Whether {@code path} (a qualified Hadoop URI) is part of this store itself: its tables or default
   * artifact root, which lineage leaves out. Other data under the root is the user's.
   */
  public boolean ownsPath(String path) {
    return tables.owns(path) || tables.owns(path.replaceFirst("^file:///", "file:/"));
  }

  /** The Spark catalog database holding this store's tables and views. */
  public String database() {
    return tables.database();
  }

  // ---------------------------------------------------------------- experiments

  private void ensureDefaultExperiment() {
    if (experiments.read().stream().anyMatch(e -> e.experimentId().equals(DEFAULT_EXPERIMENT_ID))) {
      return;
    }
    long now = System.currentTimeMillis();
    experiments.update(
        "creating the Default experiment",
        rows -> {
          if (rows.stream().anyMatch(e -> e.experimentId().equals(DEFAULT_EXPERIMENT_ID))) {
            return rows;
          }
          List<Experiment> next = new ArrayList<>(rows);
          next.add(
              new Experiment(
                  DEFAULT_EXPERIMENT_ID,
                  DEFAULT_EXPERIMENT_NAME,
                  tables.artifactRoot() + "/" + DEFAULT_EXPERIMENT_ID,
                  LifecycleStage.ACTIVE,
                  now,
                  now,
                  Map.of()));
          return next;
        });
  }

  @Override
  public String createExperiment(String name, String artifactLocation, Map<String, String> tags) {
    Validation.experimentName(name);
    Map<String, String> tagMap = tags == null ? Map.of() : tags;
    tagMap.forEach(Validation::experimentTag);
    String id = Long.toString(ThreadLocalRandom.current().nextLong(100_000_000L, Long.MAX_VALUE));
    String location =
        artifactLocation == null || artifactLocation.isBlank()
            ? tables.artifactRoot() + "/" + id
            : artifactLocation;
    long now = System.currentTimeMillis();
    experiments.update(
        "creating experiment '" + name + "'",
        rows -> {
          for (Experiment e : rows) {
            if (e.experimentId().equals(id)) {
              return rows; // an earlier attempt of this call committed
            }
            if (e.name().equals(name)) {
              throw TrackingErrors.experimentExists(
                  name, e.experimentId(), e.lifecycleStage().wireName());
            }
          }
          List<Experiment> next = new ArrayList<>(rows);
          next.add(new Experiment(id, name, location, LifecycleStage.ACTIVE, now, now, tagMap));
          return next;
        });
    return id;
  }

  @Override
  public Experiment getExperiment(String experimentId) {
    Validation.experimentId(experimentId);
    return findExperiment(experimentId, experiments.read());
  }

  @Override
  public Optional<Experiment> findExperimentByName(String name) {
    if (name == null) {
      throw TrackingErrors.missing("experiment_name");
    }
    return experiments.read().stream().filter(e -> e.name().equals(name)).findFirst();
  }

  @Override
  public void renameExperiment(String experimentId, String newName) {
    Validation.experimentId(experimentId);
    Validation.experimentName(newName);
    changeExperiment(
        experimentId,
        "renaming experiment " + experimentId,
        (e, rows) -> {
          requireActive(e, "rename the experiment");
          for (Experiment other : rows) {
            if (other.name().equals(newName) && !other.experimentId().equals(experimentId)) {
              throw TrackingErrors.experimentExists(
                  newName, other.experimentId(), other.lifecycleStage().wireName());
            }
          }
          return copy(e, newName, e.lifecycleStage(), e.tags());
        });
  }

  @Override
  public void deleteExperiment(String experimentId) {
    Validation.experimentId(experimentId);
    if (experimentId.equals(DEFAULT_EXPERIMENT_ID)) {
      throw TrackingErrors.cannotDeleteDefaultExperiment();
    }
    long[] deletedAt = new long[1];
    changeExperiment(
        experimentId,
        "deleting experiment " + experimentId,
        (e, rows) -> {
          Experiment next = copy(e, e.name(), LifecycleStage.DELETED, e.tags());
          deletedAt[0] = next.lastUpdateTime();
          return next;
        });
    cascade(experimentId, LifecycleStage.ACTIVE, LifecycleStage.DELETED, deletedAt[0], 0);
  }

  @Override
  public void restoreExperiment(String experimentId) {
    Validation.experimentId(experimentId);
    long[] deletedAt = new long[1];
    changeExperiment(
        experimentId,
        "restoring experiment " + experimentId,
        (e, rows) -> {
          if (e.lifecycleStage() != LifecycleStage.DELETED) {
            throw TrackingErrors.experimentNotDeleted(experimentId);
          }
          deletedAt[0] = e.lastUpdateTime();
          return copy(e, e.name(), LifecycleStage.ACTIVE, e.tags());
        });
    // As MLflow does: the runs deleted together with the experiment (or later) come back; runs
    // deleted before it stay deleted.
    cascade(
        experimentId,
        LifecycleStage.DELETED,
        LifecycleStage.ACTIVE,
        System.currentTimeMillis(),
        deletedAt[0]);
  }

  @Override
  public void setExperimentTag(String experimentId, String key, String value) {
    Validation.experimentId(experimentId);
    Validation.experimentTag(key, value);
    changeExperiment(
        experimentId,
        "setting a tag on experiment " + experimentId,
        (e, rows) -> {
          requireActive(e, "set a tag on the experiment");
          Map<String, String> tags = new HashMap<>(e.tags());
          tags.put(key, value);
          return copy(e, e.name(), e.lifecycleStage(), tags);
        });
  }

  @Override
  public void deleteExperimentTag(String experimentId, String key) {
    Validation.experimentId(experimentId);
    Validation.tagKey(key);
    changeExperiment(
        experimentId,
        "deleting a tag of experiment " + experimentId,
        (e, rows) -> {
          requireActive(e, "delete a tag of the experiment");
          if (!e.tags().containsKey(key)) {
            throw TrackingErrors.experimentTagNotFound(experimentId, key);
          }
          Map<String, String> tags = new HashMap<>(e.tags());
          tags.remove(key);
          return copy(e, e.name(), e.lifecycleStage(), tags);
        });
  }

  @Override
  public Page<Experiment> searchExperiments(
      String filter, ViewType viewType, int maxResults, List<String> orderBy, String pageToken) {
    checkMaxResults(maxResults);
    int offset = PageTokens.offset(pageToken);
    List<Experiment> all = ExperimentSearch.search(experiments.read(), filter, viewType, orderBy);
    int end = Math.min(all.size(), offset + maxResults);
    List<Experiment> page = offset >= all.size() ? List.of() : all.subList(offset, end);
    return new Page<>(page, PageTokens.next(end, end < all.size()));
  }

  private interface ExperimentChange {
    Experiment apply(Experiment current, List<Experiment> all);
  }

  private void changeExperiment(String experimentId, String what, ExperimentChange change) {
    experiments.update(
        what,
        rows -> {
          Experiment current = findExperiment(experimentId, rows);
          Experiment changed = change.apply(current, rows);
          List<Experiment> next = new ArrayList<>(rows.size());
          for (Experiment e : rows) {
            next.add(e.experimentId().equals(experimentId) ? changed : e);
          }
          return next;
        });
  }

  private static Experiment findExperiment(String experimentId, List<Experiment> rows) {
    return rows.stream()
        .filter(e -> e.experimentId().equals(experimentId))
        .findFirst()
        .orElseThrow(() -> TrackingErrors.experimentNotFound(experimentId));
  }

  private static void requireActive(Experiment e, String operation) {
    if (e.lifecycleStage() != LifecycleStage.ACTIVE) {
      throw TrackingErrors.experimentNotActive(e.experimentId(), operation);
    }
  }

  private static Experiment copy(
      Experiment e, String name, LifecycleStage stage, Map<String, String> tags) {
    return new Experiment(
        e.experimentId(),
        name,
        e.artifactLocation(),
        stage,
        e.creationTime(),
        System.currentTimeMillis(),
        tags);
  }

  /** Moves the experiment's runs in stage {@code from} (deleted at or after {@code since}) to {@code to}. */
  private void cascade(
      String experimentId, LifecycleStage from, LifecycleStage to, long time, long since) {
    Column selected =
        col("experiment_id").equalTo(experimentId).and(col("lifecycle_stage").equalTo(from.wireName()));
    if (from == LifecycleStage.DELETED) {
      selected = selected.and(coalesce(col("deleted_time"), lit(0L)).geq(since));
    }
    List<Event> events = new ArrayList<>();
    for (Row r : freshState().where(selected).select("run_id").collectAsList()) {
      String runId = r.getString(0);
      events.add(Event.lifecycle(runId, experimentId, to, time));
      KnownRun k = known.get(runId);
      if (k != null) {
        k.lifecycle(to);
      }
    }
    journal.append(events);
    flush();
  }

  // ---------------------------------------------------------------- runs

  @Override
  public Run createRun(
      String experimentId, String userId, Long startTime, List<RunTag> tags, String runName) {
    Validation.experimentId(experimentId);
    List<RunTag> tagList = tags == null ? List.of() : tags;
    tagList.forEach(Validation::tag);
    Validation.runName(runName);
    Experiment experiment = getExperiment(experimentId);
    requireActive(experiment, "create a run");
    String tagName =
        tagList.stream()
            .filter(t -> t.key().equals(RUN_NAME_TAG))
            .map(RunTag::value)
            .reduce((a, b) -> b)
            .orElse(null);
    if (runName != null && tagName != null && !runName.equals(tagName)) {
      throw TrackingErrors.invalid(
          "Both the run name ('" + runName + "') and the tag " + RUN_NAME_TAG + " ('" + tagName
              + "') are given, with different values. Give one of them, or the same value.");
    }
    String name = runName != null ? runName : tagName != null ? tagName : RunNames.generate();
    Validation.runName(name);
    String runId = RunIds.next();
    long start = startTime != null ? startTime : System.currentTimeMillis();
    String user = userId != null ? userId : System.getProperty("user.name", "unknown");
    String artifactUri = experiment.artifactLocation() + "/" + runId + "/artifacts";

    Map<String, String> tagMap = new HashMap<>();
    List<Event> events = new ArrayList<>();
    events.add(Event.runCreated(runId, experimentId, name, user, start, artifactUri));
    for (RunTag t : tagList) {
      if (!t.key().equals(RUN_NAME_TAG)) {
        tagMap.put(t.key(), t.value());
        events.add(Event.tag(runId, experimentId, t.key(), t.value()));
      }
    }
    tagMap.put(RUN_NAME_TAG, name);
    events.add(Event.tag(runId, experimentId, RUN_NAME_TAG, name));

    RunInfo info =
        new RunInfo(
            runId, experimentId, name, user, RunStatus.RUNNING, start, null, artifactUri,
            LifecycleStage.ACTIVE, start);
    Run run = new Run(info, new RunData(List.of(), Map.of(), tagMap), List.of());
    known.put(runId, KnownRun.created(run));
    journal.append(events);
    if (options.autoHeartbeat()) {
      heartbeating.add(runId);
    }
    return run;
  }

  @Override
  public Run getRun(String runId) {
    Validation.runId(runId);
    return loadRun(runId).orElseThrow(() -> TrackingErrors.runNotFound(runId));
  }

  @Override
  public RunInfo updateRun(String runId, RunStatus status, Long endTime, String runName) {
    Validation.runName(runName);
    KnownRun run = activeRun(runId);
    List<Event> events = new ArrayList<>();
    events.add(Event.runUpdated(runId, run.experimentId(), status, endTime, runName));
    if (runName != null) {
      events.add(Event.tag(runId, run.experimentId(), RUN_NAME_TAG, runName));
      run.tag(RUN_NAME_TAG, runName);
    }
    journal.append(events);
    if (status != null && status != RunStatus.RUNNING) {
      heartbeating.remove(runId);
    }
    return run.update(status, endTime, runName);
  }

  @Override
  public void deleteRun(String runId) {
    KnownRun run = knownRun(runId);
    journal.append(
        List.of(
            Event.lifecycle(
                runId, run.experimentId(), LifecycleStage.DELETED, System.currentTimeMillis())));
    run.lifecycle(LifecycleStage.DELETED);
    heartbeating.remove(runId);
  }

  @Override
  public void restoreRun(String runId) {
    KnownRun run = knownRun(runId);
    if (!run.deleted()) {
      throw TrackingErrors.runNotDeleted(runId);
    }
    journal.append(
        List.of(
            Event.lifecycle(
                runId, run.experimentId(), LifecycleStage.ACTIVE, System.currentTimeMillis())));
    run.lifecycle(LifecycleStage.ACTIVE);
  }

  @Override
  public void logMetric(String runId, Metric metric) {
    Validation.metric(metric);
    KnownRun run = activeRun(runId);
    journal.append(List.of(Event.metric(runId, run.experimentId(), metric)));
  }

  @Override
  public void logParam(String runId, Param param) {
    logBatch(runId, List.of(), List.of(param), List.of());
  }

  @Override
  public void setTag(String runId, RunTag tag) {
    logBatch(runId, List.of(), List.of(), List.of(tag));
  }

  @Override
  public void deleteTag(String runId, String key) {
    Validation.tagKey(key);
    KnownRun run = activeRun(runId);
    synchronized (run) {
      if (!run.hasTag(key)) {
        throw TrackingErrors.tagNotFound(runId, key);
      }
      run.tag(key, null);
      journal.append(List.of(Event.tag(runId, run.experimentId(), key, null)));
    }
  }

  @Override
  public void logBatch(String runId, List<Metric> metrics, List<Param> params, List<RunTag> tags) {
    List<Metric> ms = metrics == null ? List.of() : metrics;
    List<Param> ps = params == null ? List.of() : params;
    List<RunTag> ts = tags == null ? List.of() : tags;
    Validation.batch(ms, ps, ts);
    KnownRun run = activeRun(runId);
    String experimentId = run.experimentId();
    List<Event> events = new ArrayList<>(ms.size() + ps.size() + ts.size() + 1);
    for (Metric m : ms) {
      events.add(Event.metric(runId, experimentId, m));
    }
    // Checking and recording params under the run's monitor makes "first value wins" exact among the
    // threads of this process; the journal fold keeps it across processes.
    synchronized (run) {
      for (Param p : ps) {
        String old = run.param(p.key());
        if (old != null && !old.equals(p.value())) {
          throw TrackingErrors.paramChanged(runId, p.key(), old, p.value());
        }
      }
      for (Param p : ps) {
        if (run.putParamIfAbsent(p.key(), p.value()) == null) {
          events.add(Event.param(runId, experimentId, p.key(), p.value()));
        }
      }
      String newName = null;
      for (RunTag t : ts) {
        run.tag(t.key(), t.value());
        events.add(Event.tag(runId, experimentId, t.key(), t.value()));
        if (t.key().equals(RUN_NAME_TAG)) {
          newName = t.value();
        }
      }
      if (newName != null) {
        Validation.runName(newName);
        events.add(Event.runUpdated(runId, experimentId, null, null, newName));
        run.update(null, null, newName);
      }
      journal.append(events);
    }
  }

  @Override
  public void logInputs(String runId, List<DatasetInput> inputs) {
    KnownRun run = activeRun(runId);
    List<Event> events = new ArrayList<>();
    for (DatasetInput input : inputs == null ? List.<DatasetInput>of() : inputs) {
      if (input == null || input.name() == null || input.name().isBlank()) {
        throw TrackingErrors.invalid("A dataset input needs a name.");
      }
      events.add(Event.input(runId, run.experimentId(), input));
    }
    journal.append(events);
  }

  @Override
  public void logLineage(String runId, List<LineageRecord> records) {
    KnownRun run = knownRun(runId);
    List<Event> events = new ArrayList<>();
    for (LineageRecord r : records) {
      events.add(Event.lineage(runId, run.experimentId(), r));
    }
    journal.append(events);
  }

  @Override
  public List<Metric> getMetricHistory(String runId, String key) {
    Validation.metricKey(key);
    knownRun(runId);
    flush();
    List<Metric> points = new ArrayList<>();
    for (Row r :
        spark
            .read()
            .format("delta")
            .load(tables.path(Tables.EVENTS))
            .where(
                col("run_id")
                    .equalTo(runId)
                    .and(col("kind").equalTo(Event.METRIC))
                    .and(col("key").equalTo(key)))
            .select("metric_value", "timestamp", "step")
            .collectAsList()) {
      points.add(new Metric(key, r.getDouble(0), r.getLong(1), r.getLong(2)));
    }
    points.sort(Metric::compareLatest);
    return points;
  }

  @Override
  public Page<Run> searchRuns(
      List<String> experimentIds,
      String filter,
      ViewType viewType,
      int maxResults,
      List<String> orderBy,
      String pageToken) {
    RunSearch search = new RunSearch(experimentIds, filter, viewType, orderBy);
    flush();
    return Internal.run(spark, () -> search.page(state.searchable(), maxResults, pageToken));
  }

  /**
   * The runs a search finds, as a Spark DataFrame in the shape of the {@code runs} view, in search
   * order: for analysts, with the same compiled predicate as {@link #searchRuns}. Reads the Delta
   * tables when it runs, skipping files by the experiment and attribute predicates and, through the
   * key index once {@code run_state} has {@code keyIndexMinStateFiles} files, by the metric, param and
   * tag predicates (that lookup is one small query, run here).
   */
  public Dataset<Row> searchRunsFrame(
      List<String> experimentIds, String filter, ViewType viewType, List<String> orderBy) {
    RunSearch search = new RunSearch(experimentIds, filter, viewType, orderBy);
    flush();
    Dataset<Row> runs =
        Internal.run(spark, () -> state.current(search.filter()).selectExpr(Tables.SEARCH_COLUMNS));
    return search.ordered(search.frame(runs)).drop("latest_metrics");
  }

  private static void checkMaxResults(int maxResults) {
    if (maxResults < 1 || maxResults > RunSearch.MAX_RESULTS_LIMIT) {
      throw TrackingErrors.badMaxResults(maxResults, RunSearch.MAX_RESULTS_LIMIT);
    }
  }

  private KnownRun knownRun(String runId) {
    Validation.runId(runId);
    KnownRun run = known.get(runId);
    if (run != null && run.fresh()) {
      return run;
    }
    Run loaded = loadRun(runId).orElseThrow(() -> TrackingErrors.runNotFound(runId));
    KnownRun fresh = KnownRun.loaded(loaded);
    known.put(runId, fresh);
    return fresh;
  }

  private KnownRun activeRun(String runId) {
    KnownRun run = knownRun(runId);
    if (run.deleted()) {
      throw TrackingErrors.runNotActive(runId);
    }
    return run;
  }

  private Optional<Run> loadRun(String runId) {
    flush();
    List<Row> rows = Internal.run(spark, () -> state.current(runId).collectAsList());
    return rows.isEmpty() ? Optional.empty() : Optional.of(Rows.run(rows.get(0)));
  }

  /** The run state with every write accepted so far folded in. */
  private Dataset<Row> freshState() {
    flush();
    return state.current();
  }

  // ---------------------------------------------------------------- durability and liveness

  @Override
  public void flush() {
    journal.flush();
  }

  /** Folds every flushed write into the {@code run_state} table (and so into the SQL views). */
  public void refresh() {
    state.refresh();
  }

  /** Flushes, then refreshes: afterwards SQL over the store's views sees every write accepted. */
  @Override
  public void sync() {
    flush();
    refresh();
  }

  private void scheduleRefresh() {
    if (closed.get() || !refreshScheduled.compareAndSet(false, true)) {
      return;
    }
    refresher.schedule(
        () -> {
          refreshScheduled.set(false);
          try {
            state.refresh();
          } catch (RuntimeException e) {
            LOG.warn("Background refresh of the run state failed; the next read retries it", e);
          }
        },
        options.refreshDelay().toMillis(),
        TimeUnit.MILLISECONDS);
  }

  @Override
  public void heartbeat(List<String> runIds) {
    long now = System.currentTimeMillis();
    List<Event> events = new ArrayList<>();
    for (String runId : runIds) {
      events.add(Event.heartbeat(runId, knownRun(runId).experimentId(), now));
    }
    journal.append(events);
  }

  /** A heartbeat only counts once durable, so it is flushed, with whatever else is buffered. */
  private void sendHeartbeats() {
    List<String> runs = List.copyOf(heartbeating);
    if (!runs.isEmpty()) {
      heartbeat(runs);
      flush();
    }
  }

  @Override
  public List<RunInfo> findStaleRuns(Duration timeout) {
    long cutoff = System.currentTimeMillis() - timeout.toMillis();
    return freshState()
        .where(
            col("status")
                .equalTo(RunStatus.RUNNING.name())
                .and(col("lifecycle_stage").equalTo(LifecycleStage.ACTIVE.wireName()))
                .and(coalesce(col("heartbeat_time"), col("start_time")).lt(cutoff)))
        .collectAsList()
        .stream()
        .map(r -> Rows.run(r).info())
        .toList();
  }

  @Override
  public List<RunInfo> markStaleRunsKilled(Duration timeout) {
    List<RunInfo> stale = findStaleRuns(timeout);
    List<Event> events = new ArrayList<>();
    List<RunInfo> ended = new ArrayList<>();
    for (RunInfo info : stale) {
      long end = info.heartbeatTime() != null ? info.heartbeatTime() : info.startTime();
      events.add(Event.runUpdated(info.runId(), info.experimentId(), RunStatus.KILLED, end, null));
      ended.add(
          new RunInfo(
              info.runId(), info.experimentId(), info.runName(), info.userId(), RunStatus.KILLED,
              info.startTime(), end, info.artifactUri(), info.lifecycleStage(),
              info.heartbeatTime()));
      known.remove(info.runId());
    }
    journal.append(events);
    sync();
    return ended;
  }

  /** Flushes what is buffered; used by the JVM shutdown hook, where a refresh would be too slow. */
  public void flushOnShutdown() {
    heartbeating.clear();
    journal.flush();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    heartbeating.clear();
    refresher.shutdown();
    journal.close();
    state.uncache();
    try {
      state.refresh();
    } catch (RuntimeException e) {
      LOG.warn("Could not refresh the run state on close; the next reader will", e);
    }
  }
}
