package io.runlake.errors;

/**
 * The MLflow error codes runlake reports. The names are MLflow's ({@code databricks_pb2.ErrorCode}), so
 * that a REST client sees the code it would get from an MLflow server for the same mistake.
 */
public enum ErrorCode {
  /** The request was well formed but a value in it breaks a rule (a key, a length, a limit). */
  INVALID_PARAMETER_VALUE(400),
  /** The experiment, run, model or version named does not exist. */
  RESOURCE_DOES_NOT_EXIST(404),
  /** A resource with that unique name already exists. */
  RESOURCE_ALREADY_EXISTS(400),
  /** The resource exists but is in a state that does not allow the operation (deleted, for example). */
  INVALID_STATE(400),
  /** Something failed inside runlake or below it (Spark, Delta, storage); the message says what. */
  INTERNAL_ERROR(500);

  private final int httpStatus;

  ErrorCode(int httpStatus) {
    this.httpStatus = httpStatus;
  }

  /** The HTTP status an MLflow server answers with for this code. */
  public int httpStatus() {
    return httpStatus;
  }
}
