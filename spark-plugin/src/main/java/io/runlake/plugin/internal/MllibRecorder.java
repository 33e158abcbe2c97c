package io.runlake.plugin.internal;

import io.runlake.ActiveRun;
import io.runlake.Tracking;
import io.runlake.artifacts.ArtifactRepositories;
import io.runlake.models.spark.ModelLogger;
import io.runlake.tracking.DatasetInput;
import io.runlake.tracking.Metric;
import io.runlake.tracking.Param;
import io.runlake.tracking.Run;
import io.runlake.tracking.RunStatus;
import io.runlake.tracking.RunTag;
import io.runlake.tracking.TrackingStore;
import java.lang.ref.WeakReference;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.evaluation.Evaluator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamPair;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.TrainValidationSplit;
import org.apache.spark.ml.tuning.TrainValidationSplitModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.plans.logical.Statistics;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Receives the events of the instrumented MLlib methods (through the agent's bridge) and turns them
 * into runs, with MLflow's {@code pyspark.ml.autolog} coverage:
 *
 * <ul>
 *   <li>each top-level fit (a Pipeline, a bare estimator, a tuner) is a run, created when the fit
 *       starts so that the queries it runs are attributed to it; when the fit ends its params
 *       (flattened), estimator class, training data and model are logged on the plugin's thread;
 *   <li>a fit inside another fit (a Pipeline's stages) is part of its parent's run;
 *   <li>inside a CrossValidator or TrainValidationSplit, each fit is matched to its param map (by
 *       identity, against the tuner's own param maps) and fold (order of first appearance of its
 *       training data); evaluations of the fold models give each param map's metrics;
 *   <li>a PySpark Pipeline, tuner or OneVsRest runs its loop in Python: runlake's Python hooks report
 *       its start and end with its JVM twin ({@link PySparkFits}), and the JVM fits of its parts,
 *       called from any Python thread, find its frame by stage identity or uid ({@code claimant});
 *       a tuned fit's param map is then matched by value;
 *   <li>an evaluation is linked to the model whose output it evaluates (the output Dataset, or the
 *       expression ids of the columns the model added, which survive select and filter), then to that
 *       model's estimator and its run.
 * </ul>
 *
 * Nothing here throws into the user's code: the bridge swallows failures, and the heavy work runs on
 * the plugin's thread.
 */
public final class MllibRecorder implements BiFunction<String, Object[], Object> {
  private static final String DUPLICATE = "duplicate";

  private final PluginState state;
  private final InheritableThreadLocal<Deque<Frame>> stack =
      new InheritableThreadLocal<>() {
        @Override
        protected Deque<Frame> initialValue() {
          return new ArrayDeque<>();
        }

        @Override
        protected Deque<Frame> childValue(Deque<Frame> parent) {
          return new ArrayDeque<>(parent);
        }
      };
  private final Map<Object, Frame> fits = Collections.synchronizedMap(new WeakHashMap<>());
  private final Map<Object, Object> outputs = Collections.synchronizedMap(new WeakHashMap<>());
  private final Map<Long, WeakReference<Object>> columns = new ConcurrentHashMap<>();
  private final Map<String, Integer> evaluationSteps = new ConcurrentHashMap<>();
  private final List<Frame> pythonFrames = new java.util.concurrent.CopyOnWriteArrayList<>();

  MllibRecorder(PluginState state) {
    this.state = state;
  }

  enum Kind {
    PARAM_MAP,
    TOP,
    TUNED,
    NESTED
  }

  /** One fit in progress, and what the evaluations of its model will need. */
  static final class Frame {
    final Kind kind;
    final Object estimator;
    final Object dataset;
    final ParamMap paramMap;
    final Frame parent;
    final long started = System.currentTimeMillis();
    String runId;
    String previousRun;
    Tuner tuner;
    int paramIndex = -1;
    int fold = -1;

    Frame(Kind kind, Object estimator, Object dataset, ParamMap paramMap, Frame parent) {
      this.kind = kind;
      this.estimator = estimator;
      this.dataset = dataset;
      this.paramMap = paramMap;
      this.parent = parent;
    }
  }

  /** A CrossValidator or TrainValidationSplit being fit: its param maps and the folds' metrics. */
  static final class Tuner {
    final ParamMap[] maps;
    final Object input;
    final Map<Object, Integer> folds = new IdentityHashMap<>();
    final Map<Integer, List<Double>> metrics = new ConcurrentHashMap<>();

    Tuner(ParamMap[] maps, Object input) {
      this.maps = maps;
      this.input = input;
    }

    synchronized int fold(Object dataset) {
      if (dataset == input) {
        return -1;
      }
      return folds.computeIfAbsent(dataset, d -> folds.size());
    }

    int index(ParamMap map) {
      for (int i = 0; i < maps.length; i++) {
        if (maps[i] == map) {
          return i;
        }
      }
      return -1;
    }

    /**
     * The first param map whose every value {@code estimator} (or the part of it with the param's
     * owner uid) holds: how a fit is matched when Python applied the map before calling the JVM.
     */
    int match(Object estimator) {
      for (int i = 0; i < maps.length; i++) {
        if (holds(maps[i], estimator)) {
          return i;
        }
      }
      return -1;
    }

    private static boolean holds(ParamMap map, Object estimator) {
      for (ParamPair<?> pair : CollectionConverters.asJava(map.toSeq())) {
        Params owner = withUid(estimator, pair.param().parent());
        if (owner == null || !owner.hasParam(pair.param().name())) {
          return false;
        }
        org.apache.spark.ml.param.Param<Object> param = owner.getParam(pair.param().name());
        if (!owner.isDefined(param) || !Objects.deepEquals(owner.getOrDefault(param), pair.value())) {
          return false;
        }
      }
      return true;
    }

    private static Params withUid(Object estimator, String uid) {
      if (estimator instanceof Params params && params.uid().equals(uid)) {
        return params;
      }
      for (Object part : parts(estimator)) {
        Params found = withUid(part, uid);
        if (found != null) {
          return found;
        }
      }
      return null;
    }
  }

  @Override
  public Object apply(String event, Object[] args) {
    if (state.isFinished()) {
      return null;
    }
    if (state.paused && !event.endsWith("fit.exit") && !event.equals("context.stop")) {
      return null; // a fit that started before the pause still gets its exit, so its frame is popped
    }
    try {
      if (state.config.injectFailure() && !event.equals("context.stop")) {
        throw new IllegalStateException("failure injected by spark.runlake.autolog.test.injectFailure");
      }
      return dispatch(event, args);
    } catch (RuntimeException | LinkageError e) {
      state.failed("handling " + event, e);
      return null;
    }
  }

  private Object dispatch(String event, Object[] args) {
    return switch (event) {
      case "fit.enter" -> fitEnter(args[0], (Object[]) args[1]);
      case "fit.exit" -> {
        fitExit(args[0], (Object[]) args[1], args[2], (Throwable) args[3], args[4]);
        yield null;
      }
      case "evaluate" -> {
        evaluate(args[0], (Object[]) args[1], args[2]);
        yield null;
      }
      case "python.fit.enter" -> pythonFitEnter(args[0], args[1]);
      case "python.fit.exit" -> {
        pythonFitExit(args[0], args[1], (String) args[2]);
        yield null;
      }
      case "transform" -> {
        transform(args[0], (Object[]) args[1], args[2]);
        yield null;
      }
      case "context.stop" -> {
        Object[] stopArgs = (Object[]) args[1];
        state.finish(stopArgs.length > 0 && stopArgs[0] instanceof Integer code ? code : null);
        yield null;
      }
      default -> null;
    };
  }

  private Object fitEnter(Object estimator, Object[] args) {
    Deque<Frame> frames = stack.get();
    Frame top = frames.peek();
    if (args.length == 2) {
      Frame marker = new Frame(Kind.PARAM_MAP, estimator, args[0], (ParamMap) args[1], top);
      frames.push(marker);
      return marker;
    }
    if (top != null && top.kind != Kind.PARAM_MAP && top.estimator == estimator) {
      return DUPLICATE; // ChiSqSelector.fit calls super.fit on itself
    }
    ParamMap map = top != null && top.kind == Kind.PARAM_MAP ? top.paramMap : null;
    Frame parent = top;
    while (parent != null && parent.kind == Kind.PARAM_MAP) {
      parent = parent.parent;
    }
    Frame frame = open(estimator, args[0], map, parent != null ? parent : claimant(estimator));
    frames.push(frame);
    return frame;
  }

  /**
   * A fit driven from Python (a PySpark Pipeline, tuner or OneVsRest, whose loop runs in Python and
   * calls the JVM fits of its parts): {@code estimator} is its JVM twin. Its frame is not on a thread's
   * stack (Python may call from any thread); the fits of its parts find it by {@link #claimant}.
   */
  private Object pythonFitEnter(Object estimator, Object dataset) {
    Frame frame = open(estimator, dataset, null, claimant(estimator));
    pythonFrames.add(frame);
    return frame;
  }

  private void pythonFitExit(Object token, Object model, String error) {
    if (token instanceof Frame frame && pythonFrames.remove(frame)) {
      finish(frame, model, error);
    }
  }

  private Frame open(Object estimator, Object dataset, ParamMap map, Frame parent) {
    Kind kind = parent == null ? Kind.TOP : parent.tuner != null ? Kind.TUNED : Kind.NESTED;
    Frame frame = new Frame(kind, estimator, dataset, map, parent);
    if (estimator instanceof CrossValidator cv) {
      frame.tuner = new Tuner(cv.getEstimatorParamMaps(), dataset);
    } else if (estimator instanceof TrainValidationSplit tvs) {
      frame.tuner = new Tuner(tvs.getEstimatorParamMaps(), dataset);
    }
    if (kind == Kind.TUNED) {
      frame.paramIndex = map != null ? parent.tuner.index(map) : parent.tuner.match(estimator);
      frame.fold = parent.tuner.fold(dataset);
    }
    if (kind == Kind.TOP && state.config.mllib()) {
      startRun(frame);
    }
    return frame;
  }

  /**
   * The open Python-driven fit that {@code estimator} is a part of: a Pipeline holding it as a stage,
   * else one whose parts have its uid (a tuner's or OneVsRest's estimator, which Python copies with
   * their uid before fitting). Null when none is.
   */
  private Frame claimant(Object estimator) {
    if (pythonFrames.isEmpty()) {
      return null;
    }
    List<Frame> open = new ArrayList<>(pythonFrames);
    Collections.reverse(open);
    for (Frame f : open) {
      if (f.estimator instanceof org.apache.spark.ml.Pipeline p && f.tuner == null) {
        for (Object stage : p.getStages()) {
          if (stage == estimator) {
            return f;
          }
        }
      }
    }
    String uid = estimator instanceof Params params ? params.uid() : null;
    for (Frame f : open) {
      for (Object part : parts(f.estimator)) {
        if (part instanceof Params params && params.uid().equals(uid)) {
          return f;
        }
      }
    }
    return null;
  }

  private static List<Object> parts(Object estimator) {
    if (estimator instanceof org.apache.spark.ml.Pipeline p) {
      return List.of((Object[]) p.getStages());
    }
    if (estimator instanceof CrossValidator || estimator instanceof TrainValidationSplit) {
      return List.of(tunedEstimator(estimator));
    }
    if (estimator instanceof org.apache.spark.ml.classification.OneVsRest ovr) {
      return List.of(ovr.getClassifier());
    }
    return List.of();
  }

  private void startRun(Frame frame) {
    Tracking tracking = state.tracking();
    if (tracking == null) {
      return;
    }
    String parent = tracking.activeRun().map(ActiveRun::id).orElse(state.appRunId());
    List<RunTag> tags = new ArrayList<>();
    tags.add(new RunTag("runlake.autolog", "mllib"));
    tags.add(new RunTag("runlake.estimator_class", frame.estimator.getClass().getName()));
    if (parent != null) {
      tags.add(new RunTag("mlflow.parentRunId", parent));
    }
    Run run =
        tracking.client().createRun(
            tracking.experimentId(), null, frame.started, tags, frame.estimator.getClass().getSimpleName());
    frame.runId = run.info().runId();
    frame.previousRun = state.sc.getLocalProperty(PluginState.RUN_PROPERTY);
    state.sc.setLocalProperty(PluginState.RUN_PROPERTY, frame.runId);
  }

  private void fitExit(Object estimator, Object[] args, Object model, Throwable thrown, Object token) {
    if (!(token instanceof Frame frame)) {
      return;
    }
    stack.get().remove(frame);
    if (frame.kind != Kind.PARAM_MAP) {
      finish(frame, model, thrown == null ? null : thrown.toString());
    }
  }

  private void finish(Frame frame, Object model, String error) {
    if (model != null) {
      fits.put(frame.estimator, frame);
    }
    if (frame.runId != null) {
      state.sc.setLocalProperty(PluginState.RUN_PROPERTY, frame.previousRun);
      state.submit("logging a fit", () -> logFit(frame, model, error));
    }
  }

  private void transform(Object model, Object[] args, Object output) {
    outputs.put(output, model);
    if (args.length == 1 && args[0] instanceof Dataset<?> input && output instanceof Dataset<?> out) {
      java.util.Set<Long> before = new java.util.HashSet<>();
      for (Attribute a : CollectionConverters.asJava(input.queryExecution().analyzed().output())) {
        before.add(a.exprId().id());
      }
      for (Attribute a : CollectionConverters.asJava(out.queryExecution().analyzed().output())) {
        if (!before.contains(a.exprId().id())) {
          columns.put(a.exprId().id(), new WeakReference<>(model));
        }
      }
    }
  }

  private void evaluate(Object evaluator, Object[] args, Object value) {
    if (args.length != 1 || !(value instanceof Double metric)) {
      return;
    }
    Object model = modelOf(args[0]);
    if (!(model instanceof Model<?> m) || !m.hasParent()) {
      return;
    }
    Frame fit = fits.get(m.parent());
    if (fit == null) {
      return;
    }
    String name = metricName(evaluator);
    Frame tuned = fit;
    while (tuned.kind == Kind.NESTED && tuned.parent != null) {
      tuned = tuned.parent; // a stage's model: the evaluation is of the fit that holds it
    }
    if (tuned.kind == Kind.TUNED && tuned.paramIndex >= 0 && tuned.fold >= 0) {
      tuned.parent.tuner.metrics.computeIfAbsent(tuned.paramIndex, i -> Collections.synchronizedList(new ArrayList<>())).add(metric);
      return;
    }
    Frame owner = fit;
    while (owner != null && owner.runId == null) {
      owner = owner.parent;
    }
    if (owner == null) {
      return;
    }
    String runId = owner.runId;
    int step = evaluationSteps.merge(runId + "/" + name, 1, Integer::sum) - 1;
    state.submit(
        "logging an evaluation",
        () -> state.tracking().client().logMetric(runId, new Metric(name, metric, System.currentTimeMillis(), step)));
  }

  private Object modelOf(Object dataset) {
    Object direct = outputs.get(dataset);
    if (direct != null || !(dataset instanceof Dataset<?> ds)) {
      return direct;
    }
    Object found = null;
    for (Attribute a : CollectionConverters.asJava(ds.queryExecution().analyzed().output())) {
      WeakReference<Object> ref = columns.get(a.exprId().id());
      if (ref != null && ref.get() != null) {
        found = ref.get();
      }
    }
    return found;
  }

  static String metricName(Object evaluator) {
    try {
      return (String) evaluator.getClass().getMethod("getMetricName").invoke(evaluator);
    } catch (ReflectiveOperationException | ClassCastException e) {
      return evaluator.getClass().getSimpleName();
    }
  }

  // ---------------------------------------------------------------- on the plugin's thread

  private void logFit(Frame frame, Object model, String error) {
    TrackingStore store = state.tracking().client();
    String runId = frame.runId;
    List<Param> params = EstimatorParams.asParams(EstimatorParams.flatten(frame.estimator));
    for (int i = 0; i < params.size(); i += 100) {
      store.logBatch(runId, List.of(), params.subList(i, Math.min(params.size(), i + 100)), List.of());
    }
    store.logInputs(runId, List.of(training((Dataset<?>) frame.dataset)));
    if (state.config.lineage()) {
      state.recordLineage(runId, Lineage.sources(((Dataset<?>) frame.dataset).sparkSession(), ((Dataset<?>) frame.dataset).queryExecution().analyzed()));
    }
    if (error == null && model != null) {
      if (frame.tuner != null) {
        logTuner(store, frame, model);
      } else if (state.config.logModels() && model instanceof Transformer transformer) {
        logModel(store, runId, transformer, (Dataset<?>) frame.dataset, frame.estimator);
      }
    }
    if (error != null) {
      store.setTag(runId, new RunTag("runlake.error", error.length() > 8000 ? error.substring(0, 8000) : error));
    }
    store.updateRun(runId, error == null ? RunStatus.FINISHED : RunStatus.FAILED, System.currentTimeMillis(), null);
    store.flush();
  }

  private DatasetInput training(Dataset<?> data) {
    Statistics stats = data.queryExecution().optimizedPlan().stats();
    StringBuilder profile = new StringBuilder("{\"size_in_bytes\": ").append(stats.sizeInBytes());
    if (stats.rowCount().isDefined()) {
      profile.append(", \"num_rows\": ").append(stats.rowCount().get());
    }
    profile.append('}');
    String schema = data.schema().json();
    return new DatasetInput(
        "training", Integer.toHexString(schema.hashCode()), "spark_dataframe", null, schema,
        profile.toString(), "training");
  }

  private void logModel(TrackingStore store, String runId, Transformer model, Dataset<?> data, Object estimator) {
    List<String> drop = new ArrayList<>();
    collectColumns(estimator, drop);
    @SuppressWarnings("unchecked")
    Dataset<org.apache.spark.sql.Row> input = (Dataset<org.apache.spark.sql.Row>) data;
    for (String c : drop) {
      input = input.drop(c);
    }
    ModelLogger logger = ModelLogger.forStore(input.sparkSession(), store).run(runId).artifactPath("model").input(input);
    if (state.config.registeredModelName() != null) {
      logger.registerAs(state.config.registeredModelName());
    }
    logger.log(model);
  }

  /** Label and weight columns of an estimator (or a Pipeline's stages): not model inputs. */
  private static void collectColumns(Object estimator, List<String> out) {
    if (estimator instanceof org.apache.spark.ml.Pipeline p) {
      for (Object stage : p.getStages()) {
        collectColumns(stage, out);
      }
      return;
    }
    if (estimator instanceof Params params) {
      for (String name : List.of("labelCol", "weightCol")) {
        if (params.hasParam(name) && params.isDefined(params.getParam(name))) {
          Object col = params.getOrDefault(params.getParam(name));
          if (col instanceof String s && !s.isEmpty() && !out.contains(s)) {
            out.add(s);
          }
        }
      }
    }
  }

  private static Object tunedEstimator(Object tuner) {
    return tuner instanceof CrossValidator cv ? cv.getEstimator() : ((TrainValidationSplit) tuner).getEstimator();
  }

  private static String csvField(String value) {
    return value.contains(",") || value.contains("\"") || value.contains("\n")
        ? '"' + value.replace("\"", "\"\"") + '"'
        : value;
  }

  private void logTuner(TrackingStore store, Frame frame, Object model) {
    Tuner tuner = frame.tuner;
    boolean cv = model instanceof CrossValidatorModel;
    double[] scores = cv ? ((CrossValidatorModel) model).avgMetrics() : ((TrainValidationSplitModel) model).validationMetrics();
    Evaluator evaluator = cv ? ((CrossValidator) frame.estimator).getEvaluator() : ((TrainValidationSplit) frame.estimator).getEvaluator();
    String metric = metricName(evaluator);
    int best = 0;
    for (int i = 1; i < scores.length; i++) {
      if (evaluator.isLargerBetter() ? scores[i] > scores[best] : scores[i] < scores[best]) {
        best = i;
      }
    }
    String experiment = state.tracking().experimentId();
    StringBuilder csv = new StringBuilder();
    List<String> keys = new ArrayList<>(EstimatorParams.of(tuner.maps[0], tunedEstimator(frame.estimator)).keySet());
    csv.append("index,").append(String.join(",", keys)).append(cv ? ",avg_" + metric + ",std_" + metric : "," + metric).append('\n');
    for (int i = 0; i < tuner.maps.length; i++) {
      Map<String, String> values = EstimatorParams.of(tuner.maps[i], tunedEstimator(frame.estimator));
      Run child =
          store.createRun(
              experiment, null, frame.started, List.of(new RunTag("mlflow.parentRunId", frame.runId), new RunTag("runlake.autolog", "mllib")),
              frame.estimator.getClass().getSimpleName() + "-" + i);
      List<Metric> metrics = new ArrayList<>();
      long now = System.currentTimeMillis();
      Double std = null;
      if (cv) {
        metrics.add(new Metric("avg_" + metric, scores[i], now, 0));
        List<Double> folds = tuner.metrics.get(i);
        if (folds != null && !folds.isEmpty()) {
          double mean = folds.stream().mapToDouble(Double::doubleValue).average().orElse(0);
          std = Math.sqrt(folds.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum() / folds.size());
          metrics.add(new Metric("std_" + metric, std, now, 0));
        }
      } else {
        metrics.add(new Metric(metric, scores[i], now, 0));
      }
      store.logBatch(child.info().runId(), metrics, EstimatorParams.asParams(values), List.of());
      store.updateRun(child.info().runId(), RunStatus.FINISHED, now, null);
      csv.append(i);
      for (String k : keys) {
        csv.append(',').append(csvField(values.getOrDefault(k, "")));
      }
      csv.append(',').append(scores[i]);
      if (cv) {
        csv.append(',').append(std == null ? "" : std.toString());
      }
      csv.append('\n');
    }
    Map<String, String> bestParams = new LinkedHashMap<>();
    EstimatorParams.of(tuner.maps[best], tunedEstimator(frame.estimator)).forEach((k, v) -> bestParams.put("best_" + k.substring(k.lastIndexOf('.') + 1), v));
    store.logBatch(frame.runId, List.of(new Metric("best_" + metric, scores[best], System.currentTimeMillis(), 0)), EstimatorParams.asParams(bestParams), List.of());
    String artifacts = store.getRun(frame.runId).info().artifactUri();
    ArtifactRepositories.at(((Dataset<?>) frame.dataset).sparkSession(), artifacts).writeText("search_results.csv", csv.toString());
    if (state.config.logModels()) {
      Model<?> bestModel = cv ? ((CrossValidatorModel) model).bestModel() : ((TrainValidationSplitModel) model).bestModel();
      Object estimator = cv ? ((CrossValidator) frame.estimator).getEstimator() : ((TrainValidationSplit) frame.estimator).getEstimator();
      logModel(store, frame.runId, bestModel, (Dataset<?>) frame.dataset, estimator);
    }
  }
}
