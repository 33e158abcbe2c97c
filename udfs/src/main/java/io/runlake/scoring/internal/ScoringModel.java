package io.runlake.scoring.internal;

import io.runlake.errors.ErrorCode;
import io.runlake.errors.RunlakeException;
import io.runlake.models.ColumnSpec;
import io.runlake.models.ModelSignature;
import io.runlake.models.spark.LoadedModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A model ready to score: the loaded pipeline, the columns it reads (from its signature), the column it
 * predicts into and that column's type, and the checks of an input against them.
 */
public final class ScoringModel {
  private final LoadedModel loaded;

  public ScoringModel(LoadedModel loaded) {
    this.loaded = loaded;
  }

  public LoadedModel loaded() {
    return loaded;
  }

  public Optional<ModelSignature> signature() {
    return loaded.mlmodel().signature();
  }

  /** The signature's input columns, in order. */
  public List<ColumnSpec> inputs() {
    return signature().map(ModelSignature::inputs).orElse(List.of());
  }

  /** The column the prediction lands in: the signature's first output, else {@code prediction}. */
  public String outputColumn() {
    return signature()
        .filter(s -> !s.outputs().isEmpty())
        .map(s -> s.outputs().get(0).name())
        .orElse("prediction");
  }

  public DataType outputType() {
    return signature()
        .filter(s -> !s.outputs().isEmpty())
        .map(s -> s.outputs().get(0).type())
        .orElse(DataTypes.DoubleType);
  }

  /** The columns the model adds to an input of {@code schema} (its intermediate and output columns). */
  public List<String> addedColumns(StructType schema) {
    Set<String> before = Set.of(schema.fieldNames());
    List<String> added = new ArrayList<>();
    for (String name : loaded.model().transformSchema(schema).fieldNames()) {
      if (!before.contains(name)) {
        added.add(name);
      }
    }
    return added;
  }

  /**
   * Checks that {@code input} has every column of the signature with a type the model accepts.
   *
   * @throws RunlakeException INVALID_PARAMETER_VALUE naming the column, the expected and the actual
   *     type, before any task runs
   */
  public void checkInput(StructType input) {
    for (ColumnSpec c : inputs()) {
      Optional<StructField> field =
          java.util.Arrays.stream(input.fields()).filter(f -> f.name().equalsIgnoreCase(c.name())).findFirst();
      if (field.isEmpty()) {
        throw new RunlakeException(
            ErrorCode.INVALID_PARAMETER_VALUE,
            "The input has no column '" + c.name() + "', which model " + loaded.uri() + " reads (as "
                + c.type().simpleString() + "). Input columns: " + String.join(", ", input.fieldNames()) + ".");
      }
      checkType(c, field.get().dataType());
    }
  }

  /** Checks the {@code i}th argument of a scalar call against the {@code i}th input column. */
  public void checkArguments(List<DataType> types) {
    List<ColumnSpec> inputs = inputs();
    if (types.size() != inputs.size()) {
      throw new RunlakeException(
          ErrorCode.INVALID_PARAMETER_VALUE,
          "Model " + loaded.uri() + " reads " + inputs.size() + " columns ("
              + String.join(", ", inputs.stream().map(ColumnSpec::name).toList()) + "), but "
              + types.size() + " were given. Pass them in that order.");
    }
    for (int i = 0; i < types.size(); i++) {
      checkType(inputs.get(i), types.get(i));
    }
  }

  private void checkType(ColumnSpec expected, DataType actual) {
    if (!accepts(expected.type(), actual)) {
      throw new RunlakeException(
          ErrorCode.INVALID_PARAMETER_VALUE,
          "Column '" + expected.name() + "' has type " + actual.simpleString() + ", but model "
              + loaded.uri() + " expects " + expected.type().simpleString() + ". Cast it, or score"
              + " with a model trained on that type.");
    }
  }

  /** Same type, or a number where a number is expected (Spark ML's assemblers take any numeric). */
  static boolean accepts(DataType expected, DataType actual) {
    if (expected.sameType(actual)) {
      return true;
    }
    return expected instanceof NumericType && actual instanceof NumericType;
  }
}
