package io.runlake.plugin.internal;

import io.runlake.tracking.Param;
import io.runlake.tracking.internal.Validation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamPair;
import scala.jdk.javaapi.CollectionConverters;

/**
 * An estimator's params as run params: every param with its value (set or default), a Pipeline's
 * stages flattened with their class as prefix ({@code LogisticRegression.regParam}), a second stage of
 * the same class numbered ({@code StandardScaler_2.withMean}).
 */
final class EstimatorParams {
  private EstimatorParams() {}

  static Map<String, String> flatten(Object estimator) {
    Map<String, String> out = new LinkedHashMap<>();
    add(out, "", (org.apache.spark.ml.param.Params) estimator);
    return out;
  }

  private static void add(Map<String, String> out, String prefix, org.apache.spark.ml.param.Params p) {
    if (p instanceof Pipeline pipeline) {
      Map<String, Integer> seen = new HashMap<>();
      for (PipelineStage stage : pipeline.getStages()) {
        String name = stage.getClass().getSimpleName();
        int n = seen.merge(name, 1, Integer::sum);
        add(out, prefix + (n == 1 ? name : name + "_" + n) + ".", stage);
      }
      return;
    }
    for (ParamPair<?> pair : CollectionConverters.asJava(p.extractParamMap().toSeq())) {
      String key = prefix + pair.param().name();
      Object value = pair.value();
      if (value instanceof org.apache.spark.ml.param.Params nested && !(value instanceof ParamMap)) {
        out.put(key, nested.getClass().getSimpleName());
        add(out, prefix + nested.getClass().getSimpleName() + ".", nested);
      } else if (value instanceof ParamMap[] maps) {
        out.put(key, maps.length + " param maps");
      } else {
        out.put(key, text(value));
      }
    }
  }

  /**
   * The pairs of one param map of a tuner, keyed as {@link #flatten} keys the tuned estimator's params
   * ({@code LogisticRegression.regParam} for a stage of a Pipeline, {@code regParam} for a bare
   * estimator).
   */
  static Map<String, String> of(ParamMap map, Object estimator) {
    Map<String, String> prefixes = new HashMap<>();
    prefixes(prefixes, "", (org.apache.spark.ml.param.Params) estimator);
    Map<String, String> out = new LinkedHashMap<>();
    for (ParamPair<?> pair : CollectionConverters.asJava(map.toSeq())) {
      String parent = pair.param().parent();
      out.put(prefixes.getOrDefault(parent, parent + ".") + pair.param().name(), text(pair.value()));
    }
    return out;
  }

  private static void prefixes(Map<String, String> out, String prefix, org.apache.spark.ml.param.Params p) {
    out.putIfAbsent(p.uid(), prefix);
    if (p instanceof Pipeline pipeline) {
      Map<String, Integer> seen = new HashMap<>();
      for (PipelineStage stage : pipeline.getStages()) {
        String name = stage.getClass().getSimpleName();
        int n = seen.merge(name, 1, Integer::sum);
        prefixes(out, prefix + (n == 1 ? name : name + "_" + n) + ".", stage);
      }
    }
  }

  static String text(Object value) {
    String s;
    if (value == null) {
      s = "None";
    } else if (value instanceof double[] d) {
      s = Arrays.toString(d);
    } else if (value instanceof int[] i) {
      s = Arrays.toString(i);
    } else if (value instanceof Object[] o) {
      s = Arrays.toString(o);
    } else {
      s = value.toString();
    }
    return s.length() > Validation.MAX_PARAM_VALUE_LENGTH ? s.substring(0, Validation.MAX_PARAM_VALUE_LENGTH) : s;
  }

  static List<Param> asParams(Map<String, String> map) {
    List<Param> out = new ArrayList<>();
    map.forEach((k, v) -> out.add(new Param(safeKey(k), v)));
    return out;
  }

  /** Keys that MLflow's rules accept: disallowed characters become '_'. */
  static String safeKey(String key) {
    String k = key.replaceAll("[^\\w./\\- :]", "_");
    return k.length() > Validation.MAX_KEY_LENGTH ? k.substring(0, Validation.MAX_KEY_LENGTH) : k;
  }
}
