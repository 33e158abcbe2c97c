package io.runlake.tracking.internal;

import io.runlake.errors.ErrorCode;
import io.runlake.errors.RunlakeException;

/**
 * The one home of the tracking errors users see. Each message says what was wrong and how to fix it;
 * each carries the MLflow error code an MLflow server would answer with.
 */
public final class TrackingErrors {
  private TrackingErrors() {}

  public static RunlakeException invalid(String message) {
    return new RunlakeException(ErrorCode.INVALID_PARAMETER_VALUE, message);
  }

  public static RunlakeException missing(String parameter) {
    return invalid("Missing value for required parameter '" + parameter + "'.");
  }

  public static RunlakeException experimentNotFound(String experimentId) {
    return new RunlakeException(
        ErrorCode.RESOURCE_DOES_NOT_EXIST,
        "No experiment with id '" + experimentId + "' exists. Check the id, or find it by name with"
            + " getExperimentByName/searchExperiments.");
  }

  public static RunlakeException experimentNameNotFound(String name) {
    return new RunlakeException(
        ErrorCode.RESOURCE_DOES_NOT_EXIST,
        "No experiment named '" + name + "' exists. Create it first, or check the spelling"
            + " (names are case-sensitive).");
  }

  public static RunlakeException experimentExists(String name, String existingId, String stage) {
    String hint =
        "deleted".equals(stage)
            ? " It is deleted: restore it with restoreExperiment(\"" + existingId + "\") or choose"
                + " another name."
            : " Use it (id " + existingId + "), or choose another name.";
    return new RunlakeException(
        ErrorCode.RESOURCE_ALREADY_EXISTS,
        "An experiment named '" + name + "' already exists (id " + existingId + ")." + hint);
  }

  public static RunlakeException experimentNotActive(String experimentId, String operation) {
    return new RunlakeException(
        ErrorCode.INVALID_STATE,
        "Cannot " + operation + " in experiment " + experimentId + " because it is deleted."
            + " Restore it with restoreExperiment(\"" + experimentId + "\") first.");
  }

  public static RunlakeException experimentNotDeleted(String experimentId) {
    return new RunlakeException(
        ErrorCode.INVALID_STATE,
        "Experiment " + experimentId + " is active, so there is nothing to restore.");
  }

  public static RunlakeException cannotDeleteDefaultExperiment() {
    return new RunlakeException(
        ErrorCode.INVALID_PARAMETER_VALUE,
        "The Default experiment (id 0) cannot be deleted. Delete the runs in it instead.");
  }

  public static RunlakeException runNotFound(String runId) {
    return new RunlakeException(
        ErrorCode.RESOURCE_DOES_NOT_EXIST,
        "No run with id '" + runId + "' exists. Check the id; searchRuns lists the runs of an"
            + " experiment.");
  }

  public static RunlakeException runNotActive(String runId) {
    return invalid(
        "The run " + runId + " must be in the 'active' state to be written to, but it is deleted."
            + " Restore it with restoreRun(\"" + runId + "\") first.");
  }

  public static RunlakeException runNotDeleted(String runId) {
    return new RunlakeException(
        ErrorCode.INVALID_STATE, "Run " + runId + " is active, so there is nothing to restore.");
  }

  public static RunlakeException tagNotFound(String runId, String key) {
    return new RunlakeException(
        ErrorCode.RESOURCE_DOES_NOT_EXIST,
        "No tag with key '" + key + "' found on run " + runId + ", so it cannot be deleted.");
  }

  public static RunlakeException experimentTagNotFound(String experimentId, String key) {
    return new RunlakeException(
        ErrorCode.RESOURCE_DOES_NOT_EXIST,
        "No tag with key '" + key + "' found on experiment " + experimentId
            + ", so it cannot be deleted.");
  }

  public static RunlakeException paramChanged(
      String runId, String key, String oldValue, String newValue) {
    return invalid(
        "Changing param values is not allowed. Param '" + key + "' of run " + runId
            + " was already logged with value '" + oldValue + "'; the new value is '" + newValue
            + "'. Params are immutable: log the new value under another key, or start a new run.");
  }

  public static RunlakeException badPageToken(String token) {
    return invalid(
        "Invalid page token '" + token + "'. Pass back the nextPageToken of the previous page"
            + " unchanged, or null for the first page.");
  }

  public static RunlakeException badMaxResults(int maxResults, int limit) {
    return invalid(
        "Invalid value " + maxResults + " for parameter 'max_results': it must be between 1 and "
            + limit + ".");
  }

  /** A failure below runlake (Spark, Delta, storage), wrapped with what runlake was doing. */
  public static RunlakeException internal(String whatWeWereDoing, Throwable cause) {
    return new RunlakeException(
        ErrorCode.INTERNAL_ERROR,
        "Failed while " + whatWeWereDoing + ": " + cause.getClass().getSimpleName() + ": "
            + cause.getMessage(),
        cause);
  }
}
