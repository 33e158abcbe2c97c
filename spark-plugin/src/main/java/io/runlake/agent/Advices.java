package io.runlake.agent;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * The advice woven into Spark and MLlib methods. It is inlined into those classes, so it refers only
 * to JDK types and {@link Bridge}, suppresses every throwable, and returns results by dynamic typing.
 */
final class Advices {
  private Advices() {}

  /** {@code Estimator.fit(Dataset)} and {@code Estimator.fit(Dataset, ParamMap)}. */
  static final class Fit {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@Advice.This Object self, @Advice.AllArguments Object[] args) {
      return Bridge.call("fit.enter", new Object[] {self, args});
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(
        @Advice.This Object self,
        @Advice.AllArguments Object[] args,
        @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object result,
        @Advice.Thrown Throwable thrown,
        @Advice.Enter Object token) {
      Bridge.call("fit.exit", new Object[] {self, args, result, thrown, token});
    }
  }

  /** {@code Evaluator.evaluate(Dataset)}. */
  static final class Evaluate {
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(
        @Advice.This Object self,
        @Advice.AllArguments Object[] args,
        @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object result,
        @Advice.Thrown Throwable thrown) {
      if (thrown == null) {
        Bridge.call("evaluate", new Object[] {self, args, result});
      }
    }
  }

  /** {@code Model.transform(Dataset)}: links the output to the model, for evaluations. */
  static final class Transform {
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(
        @Advice.This Object self,
        @Advice.AllArguments Object[] args,
        @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object result,
        @Advice.Thrown Throwable thrown) {
      if (thrown == null) {
        Bridge.call("transform", new Object[] {self, args, result});
      }
    }
  }

  /** {@code SparkContext.stop(...)}: the last moment runlake can still write with Spark. */
  static final class Stop {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.This Object self, @Advice.AllArguments Object[] args) {
      Bridge.call("context.stop", new Object[] {self, args});
    }
  }
}
