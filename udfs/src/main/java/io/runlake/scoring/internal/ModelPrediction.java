package io.runlake.scoring.internal;

import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.Unevaluable;
import org.apache.spark.sql.catalyst.expressions.codegen.CodegenContext;
import org.apache.spark.sql.catalyst.expressions.codegen.ExprCode;
import org.apache.spark.sql.types.DataType;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * {@code runlake_predict('<model uri>', col1, col2, ...)} while a query is analysed: a placeholder
 * that {@link PredictionRewrite} replaces by the model's own plan (its {@code transform}), so the
 * prediction is computed by native Spark operators. It is never evaluated.
 */
public final class ModelPrediction extends Expression implements Unevaluable {
  private final String uri;
  private final ScoringModel model;
  private final Seq<Expression> inputs;

  public ModelPrediction(String uri, ScoringModel model, Seq<Expression> inputs) {
    this.uri = uri;
    this.model = model;
    this.inputs = inputs;
  }

  public String uri() {
    return uri;
  }

  public ScoringModel model() {
    return model;
  }

  public List<Expression> inputs() {
    return CollectionConverters.asJava(inputs);
  }

  @Override
  public Seq<Expression> children() {
    return inputs;
  }

  @Override
  public boolean nullable() {
    return true;
  }

  @Override
  public DataType dataType() {
    return model.outputType();
  }

  @Override
  public boolean foldable() {
    return false;
  }

  @Override
  public Object eval(InternalRow input) {
    throw new UnsupportedOperationException("runlake_predict is rewritten into the model's plan");
  }

  @Override
  public ExprCode doGenCode(CodegenContext ctx, ExprCode ev) {
    throw new UnsupportedOperationException("runlake_predict is rewritten into the model's plan");
  }

  @Override
  public Expression withNewChildrenInternal(IndexedSeq<Expression> newChildren) {
    return new ModelPrediction(uri, model, newChildren.toSeq());
  }

  @Override
  public String prettyName() {
    return "runlake_predict";
  }

  @Override
  public int productArity() {
    return 2;
  }

  @Override
  public Object productElement(int n) {
    return n == 0 ? uri : inputs;
  }

  @Override
  public boolean canEqual(Object other) {
    return other instanceof ModelPrediction;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ModelPrediction p && p.uri.equals(uri) && p.inputs.equals(inputs);
  }

  @Override
  public int hashCode() {
    return Objects.hash(uri, inputs);
  }
}
