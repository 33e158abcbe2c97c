package io.runlake.scoring;

import io.runlake.errors.ErrorCode;
import io.runlake.errors.RunlakeException;
import io.runlake.scoring.internal.ModelPrediction;
import io.runlake.scoring.internal.ScoringModel;
import io.runlake.scoring.internal.PredictionRewrite;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import org.apache.spark.sql.catalyst.expressions.FunctionTableSubqueryArgumentExpression;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import scala.Function1;
import scala.Tuple3;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.BoxedUnit;

/**
 * runlake's Spark SQL functions. Enable them with
 * {@code spark.sql.extensions=io.runlake.scoring.RunlakeExtensions} (next to Delta's extension):
 *
 * <ul>
 *   <li>{@code runlake_predict('<model uri>', col1, col2, ...)}, or one struct argument: the model's
 *       prediction, in a SELECT list or WHERE clause;
 *   <li>{@code SELECT * FROM runlake_score('<model uri>', '<table>')}, or {@code TABLE(<table or
 *       query>)} as second argument: the input with the model's columns added.
 * </ul>
 *
 * Both resolve the model URI when the query is planned (so moving an alias changes what the next query
 * uses) and become the model's own Spark plan.
 */
public final class RunlakeExtensions implements Function1<SparkSessionExtensions, BoxedUnit> {
  public static final String PREDICT = "runlake_predict";
  public static final String SCORE = "runlake_score";

  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    extensions.injectFunction(
        new Tuple3<>(
            FunctionIdentifier.apply(PREDICT),
            new ExpressionInfo(RunlakeExtensions.class.getName(), PREDICT),
            (Function1<Seq<Expression>, Expression>) RunlakeExtensions::predict));
    extensions.injectTableFunction(
        new Tuple3<>(
            FunctionIdentifier.apply(SCORE),
            new ExpressionInfo(RunlakeExtensions.class.getName(), SCORE),
            (Function1<Seq<Expression>, LogicalPlan>) RunlakeExtensions::score));
    extensions.injectResolutionRule(PredictionRewrite::new);
    extensions.injectCheckRule(
        spark ->
            (Function1<LogicalPlan, BoxedUnit>)
                plan -> {
                  checkRewritten(plan);
                  return BoxedUnit.UNIT;
                });
    return BoxedUnit.UNIT;
  }

  private static Expression predict(Seq<Expression> args) {
    List<Expression> list = CollectionConverters.asJava(args);
    if (list.size() < 2) {
      throw usage(PREDICT, "runlake_predict('<model uri>', column, ...)");
    }
    String uri = constantString(list.get(0), PREDICT, "its first argument, the model URI");
    ScoringModel model = Scoring.modelForPlanning(SparkSession.active(), uri);
    return new ModelPrediction(uri, model, CollectionConverters.asScala(list.subList(1, list.size())).toSeq());
  }

  private static LogicalPlan score(Seq<Expression> args) {
    List<Expression> list = CollectionConverters.asJava(args);
    if (list.size() != 2) {
      throw usage(SCORE, "SELECT * FROM runlake_score('<model uri>', '<table>') or runlake_score('<model uri>', TABLE(<table>))");
    }
    SparkSession spark = SparkSession.active();
    String uri = constantString(list.get(0), SCORE, "its first argument, the model URI");
    Dataset<Row> input;
    if (list.get(1) instanceof FunctionTableSubqueryArgumentExpression table) {
      input = org.apache.spark.sql.classic.Dataset.ofRows((org.apache.spark.sql.classic.SparkSession) spark, table.plan());
    } else {
      input = spark.table(constantString(list.get(1), SCORE, "its second argument, a table name or TABLE(...)"));
    }
    return Scoring.score(input, uri).queryExecution().analyzed();
  }

  private static String constantString(Expression e, String function, String what) {
    if (!e.foldable()) {
      throw new RunlakeException(
          ErrorCode.INVALID_PARAMETER_VALUE,
          function + " needs a constant string as " + what + ", not the expression " + e.sql() + ".");
    }
    Object v = e.eval(null);
    if (v == null) {
      throw new RunlakeException(ErrorCode.INVALID_PARAMETER_VALUE, function + " got NULL as " + what + ".");
    }
    return v.toString();
  }

  private static RunlakeException usage(String function, String form) {
    return new RunlakeException(ErrorCode.INVALID_PARAMETER_VALUE, "Wrong arguments to " + function + ". Use " + form + ".");
  }

  private static void checkRewritten(LogicalPlan plan) {
    plan.foreach(
        node -> {
          if (node.expressions().exists(e -> e.exists(x -> x instanceof ModelPrediction))) {
            throw new RunlakeException(
                ErrorCode.INVALID_PARAMETER_VALUE,
                "runlake_predict can be used in a SELECT list or a WHERE clause; here it appears in "
                    + node.nodeName() + ". Compute it in a subquery's SELECT list first.");
          }
          return BoxedUnit.UNIT;
        });
  }
}
