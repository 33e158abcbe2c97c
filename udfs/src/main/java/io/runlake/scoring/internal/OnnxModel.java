package io.runlake.scoring.internal;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.runlake.errors.ErrorCode;
import io.runlake.errors.RunlakeException;
import io.runlake.models.ColumnSpec;
import io.runlake.models.MLmodel;
import io.runlake.models.ModelSignature;
import io.runlake.models.spark.ResolvedModel;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * A model of MLflow's {@code onnx} flavor, read on the driver: its bytes (shipped to executors by
 * broadcast), the columns it reads (the signature's inputs, in order) and how they map onto the ONNX
 * graph's inputs, which is checked here, before any task runs.
 */
public final class OnnxModel {
  /** How the feature columns become ONNX inputs. */
  public enum Layout {
    /** One 2-D float input [batch, columns]: the columns are interleaved row by row. */
    MATRIX,
    /** One input per column, [batch] or [batch, 1]: each column's Arrow buffer is the tensor. */
    COLUMNS
  }

  private final ResolvedModel resolved;
  private final byte[] bytes;
  private final String key;
  private final List<String> columns;
  private final List<String> inputNames;
  private final Layout layout;
  private final String outputName;

  private OnnxModel(
      ResolvedModel resolved, byte[] bytes, List<String> columns, List<String> inputNames, Layout layout, String outputName) {
    this.resolved = resolved;
    this.bytes = bytes;
    this.key = sha256(bytes);
    this.columns = columns;
    this.inputNames = inputNames;
    this.layout = layout;
    this.outputName = outputName;
  }

  /** Reads the ONNX file the MLmodel's {@code onnx} flavor names, and matches it to the signature. */
  public static OnnxModel load(SparkSession spark, ResolvedModel resolved, MLmodel mlmodel) {
    Map<String, Object> flavor = mlmodel.flavor("onnx").orElseThrow();
    String data = String.valueOf(flavor.getOrDefault("data", "model.onnx"));
    byte[] bytes = read(spark, resolved.location() + "/" + data);
    List<String> columns = new ArrayList<>();
    for (ColumnSpec c : mlmodel.signature().map(ModelSignature::inputs).orElse(List.of())) {
      columns.add(c.name());
    }
    try {
      OrtSession session = OnnxSessions.get(sha256(bytes), bytes);
      Map<String, NodeInfo> inputs = session.getInputInfo();
      List<String> names = new ArrayList<>(inputs.keySet());
      String output = session.getOutputNames().iterator().next();
      if (columns.isEmpty()) {
        throw new RunlakeException(
            ErrorCode.INVALID_PARAMETER_VALUE,
            "The ONNX model at " + resolved.location() + " has no column signature in its MLmodel, so"
                + " runlake cannot tell which columns feed it. Save it with a signature"
                + " (mlflow.onnx.save_model(..., signature=infer_signature(features_df, predictions))).");
      }
      if (names.size() == 1 && ((TensorInfo) inputs.get(names.get(0)).getInfo()).getShape().length == 2) {
        long width = ((TensorInfo) inputs.get(names.get(0)).getInfo()).getShape()[1];
        if (width > 0 && width != columns.size()) {
          throw new RunlakeException(
              ErrorCode.INVALID_PARAMETER_VALUE,
              "The ONNX model at " + resolved.location() + " takes " + width + " features but its"
                  + " signature names " + columns.size() + " columns (" + String.join(", ", columns) + ").");
        }
        return new OnnxModel(resolved, bytes, columns, names, Layout.MATRIX, output);
      }
      if (names.size() == columns.size()) {
        return new OnnxModel(resolved, bytes, columns, names, Layout.COLUMNS, output);
      }
      throw new RunlakeException(
          ErrorCode.INVALID_PARAMETER_VALUE,
          "The ONNX model at " + resolved.location() + " has inputs " + names + ", which match neither"
              + " one [batch, " + columns.size() + "] matrix nor one input per signature column.");
    } catch (OrtException e) {
      throw new RunlakeException(
          ErrorCode.INVALID_PARAMETER_VALUE,
          "ONNX Runtime cannot load the model at " + resolved.location() + ": " + e.getMessage(), e);
    }
  }

  private static byte[] read(SparkSession spark, String uri) {
    Path path = new Path(uri);
    try (InputStream in = path.getFileSystem(spark.sparkContext().hadoopConfiguration()).open(path)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new RunlakeException(
          ErrorCode.RESOURCE_DOES_NOT_EXIST, "Cannot read the ONNX model file " + uri + ": " + e.getMessage(), e);
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public ResolvedModel resolved() {
    return resolved;
  }

  byte[] bytes() {
    return bytes;
  }

  String key() {
    return key;
  }

  public List<String> columns() {
    return columns;
  }

  List<String> inputNames() {
    return inputNames;
  }

  Layout layout() {
    return layout;
  }

  String outputName() {
    return outputName;
  }
}
