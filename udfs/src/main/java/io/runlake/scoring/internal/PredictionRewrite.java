package io.runlake.scoring.internal;

import io.runlake.errors.ErrorCode;
import io.runlake.errors.RunlakeException;
import io.runlake.models.ColumnSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Alias;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.AttributeReference;
import org.apache.spark.sql.catalyst.expressions.Cast;
import org.apache.spark.sql.catalyst.expressions.ExprId;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.GetStructField;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.expressions.NamedExpression$;
import org.apache.spark.sql.catalyst.plans.logical.Filter;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.catalyst.rules.Rule;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import scala.Option;
import scala.PartialFunction;
import scala.runtime.AbstractPartialFunction;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Replaces {@code runlake_predict(...)} in a SELECT list or WHERE clause by the model's own plan: the
 * input columns are projected under the names the model reads, the pipeline's {@code transform} is
 * applied to that plan, and the call becomes a reference to the prediction column. The result is an
 * ordinary Spark plan (codegen, column pruning and predicate pushdown work through it), not a UDF.
 *
 * <p>Columns of the query whose names the model would read or write (an input named like a model
 * input but passed for another, an existing {@code prediction}...) are carried under hidden names
 * around the model and restored afterwards with their original identity, so nothing else in the query
 * changes.
 */
public final class PredictionRewrite extends Rule<LogicalPlan> {
  private final SparkSession spark;

  public PredictionRewrite(SparkSession spark) {
    this.spark = spark;
  }

  @Override
  public LogicalPlan apply(LogicalPlan plan) {
    PartialFunction<LogicalPlan, LogicalPlan> rewrite =
        new AbstractPartialFunction<>() {
          @Override
          public boolean isDefinedAt(LogicalPlan p) {
            return (p instanceof Project || p instanceof Filter)
                && p.childrenResolved()
                && !readyMarkers(p).isEmpty();
          }

          @Override
          public <A1 extends LogicalPlan, B1> B1 applyOrElse(
              A1 p, scala.Function1<A1, B1> fallback) {
            if (!isDefinedAt(p)) {
              return fallback.apply(p);
            }
            @SuppressWarnings("unchecked")
            B1 out = (B1) rewrite(p);
            return out;
          }
        };
    return plan.resolveOperatorsUp(rewrite);
  }

  private LogicalPlan rewrite(LogicalPlan p) {
    LogicalPlan current = p.children().head();
    List<Attribute> original = CollectionConverters.asJava(current.output());
    Map<ModelPrediction, Attribute> predictions = new LinkedHashMap<>();
    for (ModelPrediction m : readyMarkers(p)) {
      Attached attached = attach(current, m);
      current = attached.plan();
      predictions.put(m, attached.prediction());
    }
    if (p instanceof Project project) {
      List<NamedExpression> list = new ArrayList<>();
      for (NamedExpression e : CollectionConverters.asJava(project.projectList())) {
        list.add((NamedExpression) replace((Expression) (Object) e, predictions));
      }
      return new Project(CollectionConverters.asScala(list).toSeq(), current);
    }
    Filter filter = (Filter) p;
    Filter filtered = new Filter(replace(filter.condition(), predictions), current);
    return new Project(CollectionConverters.asScala(new ArrayList<NamedExpression>(original)).toSeq(), filtered);
  }

  private record Attached(LogicalPlan plan, Attribute prediction) {}

  private Attached attach(LogicalPlan current, ModelPrediction m) {
    ScoringModel model = m.model();
    if (model.inputs().isEmpty()) {
      throw new RunlakeException(
          ErrorCode.INVALID_PARAMETER_VALUE,
          "Model " + m.uri() + " has no signature, so runlake_predict cannot tell which argument is"
              + " which column. Score it with the table function runlake_score, which matches columns"
              + " by name.");
    }
    List<Expression> args = expandStruct(m.inputs(), model);
    model.checkArguments(args.stream().map(Expression::dataType).toList());
    List<ColumnSpec> inputs = model.inputs();

    StructType inputSchema = new StructType();
    for (int i = 0; i < inputs.size(); i++) {
      inputSchema = inputSchema.add(inputs.get(i).name(), args.get(i).dataType());
    }
    Set<String> reserved = new HashSet<>();
    inputs.forEach(c -> reserved.add(lower(c.name())));
    model.addedColumns(inputSchema).forEach(c -> reserved.add(lower(c)));

    List<NamedExpression> inner = new ArrayList<>();
    Map<Attribute, Attribute> hidden = new LinkedHashMap<>();
    Set<ExprId> passedThrough = new HashSet<>();
    List<Attribute> output = CollectionConverters.asJava(current.output());
    for (Attribute a : output) {
      int argIndex = argumentNamed(args, inputs, a);
      if (reserved.contains(lower(a.name())) && argIndex < 0) {
        Alias h = alias(a, "__runlake_hidden_" + a.exprId().id(), NamedExpression$.MODULE$.newExprId());
        inner.add(h);
        hidden.put(a, h.toAttribute());
      } else {
        inner.add(a);
        passedThrough.add(a.exprId());
      }
    }
    for (int i = 0; i < inputs.size(); i++) {
      Expression arg = args.get(i);
      if (!(arg instanceof AttributeReference ar && passedThrough.contains(ar.exprId())
          && lower(ar.name()).equals(lower(inputs.get(i).name())))) {
        inner.add(alias(arg, inputs.get(i).name(), NamedExpression$.MODULE$.newExprId()));
      }
    }
    LogicalPlan innerPlan = new Project(CollectionConverters.asScala(inner).toSeq(), current);
    Dataset<Row> transformed;
    try {
      transformed =
          model.loaded().model().transform(
              org.apache.spark.sql.classic.Dataset.ofRows(
                  (org.apache.spark.sql.classic.SparkSession) spark, innerPlan));
    } catch (RuntimeException e) {
      throw new RunlakeException(
          ErrorCode.INVALID_PARAMETER_VALUE,
          "Model " + m.uri() + " cannot score this input: " + e.getMessage(), e);
    }
    LogicalPlan plan = MllibPlans.withDeterministicMllibUdfs(transformed.queryExecution().analyzed());
    Attribute prediction = null;
    List<NamedExpression> restore = new ArrayList<>();
    for (Attribute a : CollectionConverters.asJava(plan.output())) {
      if (passedThrough.contains(a.exprId())) {
        restore.add(a);
      }
      if (a.name().equals(model.outputColumn())) {
        prediction = a;
      }
    }
    if (prediction == null) {
      throw new RunlakeException(
          ErrorCode.INVALID_PARAMETER_VALUE,
          "Model " + m.uri() + " produced no column '" + model.outputColumn() + "'.");
    }
    for (Map.Entry<Attribute, Attribute> h : hidden.entrySet()) {
      restore.add(alias(h.getValue(), h.getKey().name(), h.getKey().exprId()));
    }
    restore.add(prediction);
    return new Attached(new Project(CollectionConverters.asScala(restore).toSeq(), plan), prediction);
  }

  /** A single struct argument stands for the model's inputs, taken from its fields by name. */
  private static List<Expression> expandStruct(List<Expression> args, ScoringModel model) {
    if (args.size() != 1 || !(args.get(0).dataType() instanceof StructType struct)
        || model.inputs().size() == 1 && model.inputs().get(0).type() instanceof StructType) {
      return args;
    }
    List<Expression> fields = new ArrayList<>();
    for (ColumnSpec c : model.inputs()) {
      int index = -1;
      for (int i = 0; i < struct.fields().length; i++) {
        if (struct.fields()[i].name().equalsIgnoreCase(c.name())) {
          index = i;
        }
      }
      if (index < 0) {
        throw new RunlakeException(
            ErrorCode.INVALID_PARAMETER_VALUE,
            "The struct passed to model " + model.loaded().uri() + " has no field '" + c.name()
                + "' (expected " + c.type().simpleString() + "). Fields: "
                + String.join(", ", struct.fieldNames()) + ".");
      }
      fields.add(new GetStructField(args.get(0), index, Option.apply(struct.fields()[index].name())));
    }
    return fields;
  }

  private static int argumentNamed(List<Expression> args, List<ColumnSpec> inputs, Attribute a) {
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i) instanceof AttributeReference ar && ar.exprId().equals(a.exprId())
          && lower(a.name()).equals(lower(inputs.get(i).name()))) {
        return i;
      }
    }
    return -1;
  }

  private static Expression replace(Expression e, Map<ModelPrediction, Attribute> predictions) {
    if (e instanceof ModelPrediction m && predictions.containsKey(m)) {
      Attribute a = predictions.get(m);
      DataType wanted = m.dataType();
      return a.dataType().sameType(wanted) ? a : new Cast(a, wanted, Option.<String>empty());
    }
    return e.mapChildren(child -> replace(child, predictions));
  }

  static List<ModelPrediction> readyMarkers(LogicalPlan p) {
    List<ModelPrediction> found = new ArrayList<>();
    for (Expression e : CollectionConverters.asJava(p.expressions())) {
      collect(e, found);
    }
    return found;
  }

  private static void collect(Expression e, List<ModelPrediction> found) {
    if (e instanceof ModelPrediction m && m.childrenResolved()) {
      if (!found.contains(m)) {
        found.add(m);
      }
      return;
    }
    for (Expression child : CollectionConverters.asJava(e.children())) {
      collect(child, found);
    }
  }

  private static Alias alias(Expression child, String name, ExprId id) {
    return new Alias(
        child,
        name,
        id,
        CollectionConverters.asScala(List.<String>of()).toSeq(),
        Option.empty(),
        CollectionConverters.asScala(List.<String>of()).toSeq());
  }

  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
