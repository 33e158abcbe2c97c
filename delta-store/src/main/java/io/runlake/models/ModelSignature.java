package io.runlake.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.runlake.errors.ErrorCode;
import io.runlake.errors.RunlakeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.UserDefinedType;

/**
 * A model's input and output columns, written into the MLmodel file in MLflow's column-based
 * signature format ({@code [{"type": "double", "name": "x1", "required": true}, ...]}), so that MLflow
 * tools check inputs the same way runlake does.
 */
public record ModelSignature(List<ColumnSpec> inputs, List<ColumnSpec> outputs) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public ModelSignature {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  /**
   * The signature of a model that reads {@code input}'s columns and adds {@code output}'s new ones:
   * only {@code prediction} when the output has that column (what MLflow's pyfunc returns), else every
   * new column.
   */
  public static ModelSignature infer(StructType input, StructType output) {
    List<ColumnSpec> ins = new ArrayList<>();
    for (StructField f : input.fields()) {
      ins.add(new ColumnSpec(f.name(), f.dataType(), true));
    }
    Set<String> inputNames = Set.of(input.fieldNames());
    List<ColumnSpec> outs = new ArrayList<>();
    for (StructField f : output.fields()) {
      if (f.name().equals("prediction")) {
        outs = new ArrayList<>(List.of(new ColumnSpec(f.name(), f.dataType(), true)));
        break;
      }
      if (!inputNames.contains(f.name())) {
        outs.add(new ColumnSpec(f.name(), f.dataType(), true));
      }
    }
    return new ModelSignature(ins, outs);
  }

  /** The Spark schema of the inputs. */
  public StructType inputSchema() {
    return schema(inputs);
  }

  public StructType outputSchema() {
    return schema(outputs);
  }

  private static StructType schema(List<ColumnSpec> columns) {
    StructType s = new StructType();
    for (ColumnSpec c : columns) {
      s = s.add(c.name(), c.type(), !c.required());
    }
    return s;
  }

  /** The JSON text MLflow keeps under {@code signature.inputs}. */
  public String inputsJson() {
    return toJson(inputs);
  }

  public String outputsJson() {
    return toJson(outputs);
  }

  static String toJson(List<ColumnSpec> columns) {
    ArrayNode array = JSON.createArrayNode();
    for (ColumnSpec c : columns) {
      ObjectNode col = mlflowType(c.type());
      ObjectNode ordered = JSON.createObjectNode();
      ordered.setAll(col);
      ordered.put("name", c.name());
      ordered.put("required", c.required());
      array.add(ordered);
    }
    return array.toString();
  }

  static ModelSignature fromJson(String inputs, String outputs) {
    return new ModelSignature(parse(inputs), outputs == null ? List.of() : parse(outputs));
  }

  private static List<ColumnSpec> parse(String json) {
    if (json == null) {
      return List.of();
    }
    try {
      List<ColumnSpec> out = new ArrayList<>();
      for (JsonNode c : JSON.readTree(json)) {
        String name = c.has("name") ? c.get("name").asText() : "_" + out.size();
        out.add(new ColumnSpec(name, sparkType(c), !c.has("required") || c.get("required").asBoolean()));
      }
      return out;
    } catch (java.io.IOException e) {
      throw new RunlakeException(
          ErrorCode.INVALID_PARAMETER_VALUE, "The MLmodel signature is not valid JSON: " + json, e);
    }
  }

  /** MLflow's type of a Spark type: a scalar name, or an array/object/sparkml_vector spec. */
  static ObjectNode mlflowType(DataType t) {
    ObjectNode node = JSON.createObjectNode();
    if (isVector(t)) {
      node.put("type", "sparkml_vector");
    } else if (t instanceof ArrayType a) {
      node.put("type", "array");
      node.set("items", mlflowType(a.elementType()));
    } else if (t instanceof StructType s) {
      node.put("type", "object");
      ObjectNode props = node.putObject("properties");
      for (StructField f : s.fields()) {
        ObjectNode p = mlflowType(f.dataType());
        p.put("required", !f.nullable());
        props.set(f.name(), p);
      }
    } else {
      node.put("type", scalar(t));
    }
    return node;
  }

  /** Spark ML's vector type, found by name: this module does not depend on spark-mllib. */
  static boolean isVector(DataType t) {
    return t instanceof UserDefinedType<?> udt
        && udt.userClass().getName().equals("org.apache.spark.ml.linalg.Vector");
  }

  private static DataType vectorType() {
    try {
      return (DataType)
          Class.forName("org.apache.spark.ml.linalg.VectorUDT").getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new RunlakeException(
          ErrorCode.INTERNAL_ERROR,
          "The signature has a Spark ML vector column, but spark-mllib is not on the class path.",
          e);
    }
  }

  private static String scalar(DataType t) {
    if (t.equals(DataTypes.DoubleType)) {
      return "double";
    } else if (t.equals(DataTypes.FloatType)) {
      return "float";
    } else if (t.equals(DataTypes.LongType)) {
      return "long";
    } else if (t.equals(DataTypes.IntegerType) || t.equals(DataTypes.ShortType) || t.equals(DataTypes.ByteType)) {
      return "integer";
    } else if (t.equals(DataTypes.BooleanType)) {
      return "boolean";
    } else if (t.equals(DataTypes.BinaryType)) {
      return "binary";
    } else if (t.equals(DataTypes.TimestampType) || t.equals(DataTypes.DateType) || t.equals(DataTypes.TimestampNTZType)) {
      return "datetime";
    }
    return "string";
  }

  static DataType sparkType(JsonNode c) {
    String type = c.get("type").asText();
    return switch (type) {
      case "double" -> DataTypes.DoubleType;
      case "float" -> DataTypes.FloatType;
      case "long" -> DataTypes.LongType;
      case "integer" -> DataTypes.IntegerType;
      case "boolean" -> DataTypes.BooleanType;
      case "binary" -> DataTypes.BinaryType;
      case "datetime" -> DataTypes.TimestampType;
      case "sparkml_vector" -> vectorType();
      case "array" -> DataTypes.createArrayType(sparkType(c.get("items")));
      case "object" -> {
        StructType s = new StructType();
        var fields = c.get("properties").fields();
        while (fields.hasNext()) {
          var f = fields.next();
          s = s.add(f.getKey(), sparkType(f.getValue()), !f.getValue().path("required").asBoolean(true));
        }
        yield s;
      }
      default -> DataTypes.StringType;
    };
  }
}
