package io.runlake.errors;

/**
 * The one exception runlake throws for a failed operation. Its {@link #code()} is the MLflow error code
 * and its message says what was wrong and how to fix it.
 */
public class RunlakeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  public RunlakeException(ErrorCode code, String message) {
    this(code, message, null);
  }

  public RunlakeException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }
}
