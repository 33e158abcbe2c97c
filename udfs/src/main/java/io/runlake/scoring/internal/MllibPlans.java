package io.runlake.scoring.internal;

import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ScalaUDF;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import scala.runtime.AbstractPartialFunction;

/** Adjustments to the plans Spark ML's transformers build. */
public final class MllibPlans {
  private MllibPlans() {}

  /**
   * The plan with Spark ML's own UDFs marked deterministic. MLlib marks some of them
   * nondeterministic (VectorAssembler, StringIndexer: they may throw on invalid rows), and Spark then
   * pushes no filter below them, so a filter on an input column of a scored table would not reach the
   * scan. Their results depend only on their inputs; letting filters run before them only removes rows
   * they would have seen.
   */
  public static LogicalPlan withDeterministicMllibUdfs(LogicalPlan plan) {
    return plan.transformAllExpressions(
        new AbstractPartialFunction<Expression, Expression>() {
          @Override
          public boolean isDefinedAt(Expression e) {
            return e instanceof ScalaUDF udf
                && !udf.udfDeterministic()
                && udf.function().getClass().getName().startsWith("org.apache.spark.ml.");
          }

          @Override
          public <A1 extends Expression, B1> B1 applyOrElse(A1 e, scala.Function1<A1, B1> fallback) {
            if (!isDefinedAt(e)) {
              return fallback.apply(e);
            }
            ScalaUDF u = (ScalaUDF) e;
            @SuppressWarnings("unchecked")
            B1 out =
                (B1)
                    u.copy(
                        u.function(), u.dataType(), u.children(), u.inputEncoders(), u.outputEncoder(),
                        u.udfName(), u.nullable(), true);
            return out;
          }
        });
  }
}
