package io.runlake.testing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runlake.errors.ErrorCode;
import io.runlake.errors.RunlakeException;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Assertions on runlake errors: the MLflow code, then the message. */
public final class Errors {
  private Errors() {}

  public static AbstractThrowableAssert<?, ? extends Throwable> assertError(
      ErrorCode code, ThrowingCallable call) {
    return assertThatThrownBy(call)
        .isInstanceOf(RunlakeException.class)
        .satisfies(e -> org.assertj.core.api.Assertions.assertThat(((RunlakeException) e).code()).isEqualTo(code));
  }
}
