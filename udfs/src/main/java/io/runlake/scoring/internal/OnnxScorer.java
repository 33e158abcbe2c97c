package io.runlake.scoring.internal;

import static org.apache.spark.sql.functions.col;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.runlake.errors.ErrorCode;
import io.runlake.errors.RunlakeException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.arrow.vector.Float4Vector;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.BoundReference;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.execution.arrow.ArrowWriter;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Scores an ONNX model inside Spark executors, in columnar batches: each partition's rows are written
 * into Arrow vectors of float features ({@link ArrowWriter}), up to {@value #BATCH} rows at a time;
 * the vectors become ONNX tensors (one per column with no copy, or interleaved into one reused matrix),
 * one {@code run()} scores the batch, and the output tensor becomes a prediction column. The model's
 * bytes travel once per executor by broadcast; sessions are cached per executor JVM.
 */
public final class OnnxScorer {
  static final int BATCH = 4096;

  private OnnxScorer() {}

  /** {@code input} with a {@code prediction} column (double) computed by the ONNX model. */
  public static Dataset<Row> score(Dataset<Row> input, OnnxModel model) {
    StructType schema = input.schema();
    for (String c : model.columns()) {
      if (!java.util.Arrays.asList(schema.fieldNames()).contains(c)) {
        throw new RunlakeException(
            ErrorCode.INVALID_PARAMETER_VALUE,
            "The input has no column '" + c + "', which the ONNX model " + model.resolved().uri()
                + " reads. Input columns: " + String.join(", ", schema.fieldNames()) + ".");
      }
      if (!(schema.apply(c).dataType() instanceof org.apache.spark.sql.types.NumericType)) {
        throw new RunlakeException(
            ErrorCode.INVALID_PARAMETER_VALUE,
            "Column '" + c + "' has type " + schema.apply(c).dataType().simpleString() + ", but the ONNX"
                + " model " + model.resolved().uri() + " reads numbers (as float).");
      }
    }
    List<Column> columns = new ArrayList<>();
    for (String c : schema.fieldNames()) {
      columns.add(col("`" + c + "`"));
    }
    for (int i = 0; i < model.columns().size(); i++) {
      columns.add(col("`" + model.columns().get(i) + "`").cast("float").as("__onnx_" + i));
    }
    Dataset<Row> withFeatures = input.select(columns.toArray(Column[]::new));
    Broadcast<byte[]> bytes =
        new org.apache.spark.api.java.JavaSparkContext(input.sparkSession().sparkContext()).broadcast(model.bytes());
    Partition task =
        new Partition(bytes, model.key(), model.layout(), model.inputNames(), model.outputName(), schema, model.columns().size());
    JavaRDD<InternalRow> scored = withFeatures.queryExecution().toRdd().toJavaRDD().mapPartitions(task);
    StructType out = schema.add("prediction", DataTypes.DoubleType, true);
    return ((org.apache.spark.sql.classic.SparkSession) input.sparkSession())
        .internalCreateDataFrame(scored.rdd(), out, false);
  }

  /** The per-partition work; serialised to executors. */
  static final class Partition implements FlatMapFunction<Iterator<InternalRow>, InternalRow>, Serializable {
    private static final long serialVersionUID = 1L;
    private final Broadcast<byte[]> bytes;
    private final String key;
    private final OnnxModel.Layout layout;
    private final List<String> inputNames;
    private final String outputName;
    private final StructType inputSchema;
    private final int features;

    Partition(
        Broadcast<byte[]> bytes, String key, OnnxModel.Layout layout, List<String> inputNames,
        String outputName, StructType inputSchema, int features) {
      this.bytes = bytes;
      this.key = key;
      this.layout = layout;
      this.inputNames = List.copyOf(inputNames);
      this.outputName = outputName;
      this.inputSchema = inputSchema;
      this.features = features;
    }

    @Override
    public Iterator<InternalRow> call(Iterator<InternalRow> rows) throws Exception {
      OrtSession session = OnnxSessions.get(key, bytes.value());
      StructType featureSchema = new StructType();
      for (int i = 0; i < features; i++) {
        featureSchema = featureSchema.add("f" + i, DataTypes.FloatType, true);
      }
      ArrowWriter writer = ArrowWriter.create(featureSchema, "UTC", false, false);
      int width = inputSchema.fields().length;
      List<Expression> outputs = new ArrayList<>();
      for (int i = 0; i < width; i++) {
        StructField f = inputSchema.fields()[i];
        outputs.add(new BoundReference(i, f.dataType(), f.nullable()));
      }
      outputs.add(new BoundReference(width + features, DataTypes.DoubleType, true));
      UnsafeProjection projection = UnsafeProjection.create(CollectionConverters.asScala(outputs).toSeq());
      FloatBuffer matrix =
          layout == OnnxModel.Layout.MATRIX
              ? ByteBuffer.allocateDirect(BATCH * features * 4).order(ByteOrder.nativeOrder()).asFloatBuffer()
              : null;

      return new Iterator<>() {
        private final List<InternalRow> batch = new ArrayList<>(BATCH);
        private double[] predictions = new double[0];
        private int next;

        @Override
        public boolean hasNext() {
          if (next < batch.size()) {
            return true;
          }
          fill();
          return next < batch.size();
        }

        @Override
        public InternalRow next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          InternalRow row = batch.get(next);
          GenericInternalRow prediction = new GenericInternalRow(new Object[] {predictions[next]});
          next++;
          return projection.apply(new JoinedRow(row, prediction));
        }

        private void fill() {
          batch.clear();
          next = 0;
          writer.reset();
          GenericInternalRow featureRow = new GenericInternalRow(features);
          while (batch.size() < BATCH && rows.hasNext()) {
            InternalRow row = rows.next().copy();
            for (int i = 0; i < features; i++) {
              if (row.isNullAt(width + i)) {
                writer.finish();
                throw new IllegalArgumentException(
                    "A null value in feature column " + i + " cannot be scored by the ONNX model.");
              }
              featureRow.setFloat(i, row.getFloat(width + i));
            }
            writer.write(featureRow);
            batch.add(row);
          }
          writer.finish();
          if (!batch.isEmpty()) {
            predictions = run(session, writer, batch.size(), matrix);
          }
        }
      };
    }

    /** Scores one batch; {@code matrix} is the reused buffer of the MATRIX layout (else null). */
    private double[] run(OrtSession session, ArrowWriter writer, int n, FloatBuffer matrix) {
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      Map<String, OnnxTensor> inputs = new HashMap<>();
      try {
        if (layout == OnnxModel.Layout.MATRIX) {
          matrix.clear();
          List<Float4Vector> vectors = new ArrayList<>();
          for (int j = 0; j < features; j++) {
            vectors.add((Float4Vector) writer.root().getVector(j));
          }
          for (int i = 0; i < n; i++) {
            for (int j = 0; j < features; j++) {
              matrix.put(vectors.get(j).get(i));
            }
          }
          matrix.flip();
          inputs.put(inputNames.get(0), OnnxTensor.createTensor(env, matrix, new long[] {n, features}));
        } else {
          for (int j = 0; j < features; j++) {
            Float4Vector v = (Float4Vector) writer.root().getVector(j);
            FloatBuffer column = v.getDataBuffer().nioBuffer(0, n * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            inputs.put(inputNames.get(j), OnnxTensor.createTensor(env, column, new long[] {n, 1}));
          }
        }
        try (OrtSession.Result result = session.run(inputs)) {
          OnnxValue value = result.get(outputName).orElseGet(() -> result.get(0));
          return toDoubles((OnnxTensor) value, n);
        }
      } catch (OrtException e) {
        throw new IllegalStateException("ONNX Runtime failed to score a batch: " + e.getMessage(), e);
      } finally {
        inputs.values().forEach(OnnxTensor::close);
      }
    }

    private static double[] toDoubles(OnnxTensor tensor, int n) {
      double[] out = new double[n];
      switch (tensor.getInfo().type) {
        case FLOAT -> {
          FloatBuffer b = tensor.getFloatBuffer();
          for (int i = 0; i < n; i++) {
            out[i] = b.get(i);
          }
        }
        case DOUBLE -> {
          DoubleBuffer b = tensor.getDoubleBuffer();
          for (int i = 0; i < n; i++) {
            out[i] = b.get(i);
          }
        }
        case INT64 -> {
          LongBuffer b = tensor.getLongBuffer();
          for (int i = 0; i < n; i++) {
            out[i] = b.get(i);
          }
        }
        default -> throw new IllegalStateException("Unsupported ONNX output type " + tensor.getInfo().type);
      }
      return out;
    }
  }
}
