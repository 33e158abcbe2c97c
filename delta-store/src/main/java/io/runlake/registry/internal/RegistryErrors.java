package io.runlake.registry.internal;

import io.runlake.errors.ErrorCode;
import io.runlake.errors.RunlakeException;

/** The one home of the model registry's user-facing errors, with MLflow's codes. */
public final class RegistryErrors {
  private RegistryErrors() {}

  public static RunlakeException invalid(String message) {
    return new RunlakeException(ErrorCode.INVALID_PARAMETER_VALUE, message);
  }

  public static RunlakeException modelExists(String name) {
    return new RunlakeException(
        ErrorCode.RESOURCE_ALREADY_EXISTS,
        "Registered Model (name=" + name + ") already exists. Register a new version of it, or"
            + " choose another name.");
  }

  public static RunlakeException modelNotFound(String name) {
    return new RunlakeException(
        ErrorCode.RESOURCE_DOES_NOT_EXIST,
        "Registered Model with name=" + name + " not found. Create it with createRegisteredModel,"
            + " or check the name (names are case-sensitive).");
  }

  public static RunlakeException versionNotFound(String name, long version) {
    return new RunlakeException(
        ErrorCode.RESOURCE_DOES_NOT_EXIST,
        "Model Version (name=" + name + ", version=" + version + ") not found.");
  }

  public static RunlakeException aliasNotFound(String name, String alias) {
    return new RunlakeException(
        ErrorCode.RESOURCE_DOES_NOT_EXIST,
        "Registered model alias " + alias + " not found on model " + name + ". Set it with"
            + " setRegisteredModelAlias first.");
  }

  public static RunlakeException tagNotFound(String what, String key) {
    return new RunlakeException(
        ErrorCode.RESOURCE_DOES_NOT_EXIST, "No tag with key '" + key + "' on " + what + ".");
  }

  public static RunlakeException noSuchRegistryTime(String what) {
    return new RunlakeException(
        ErrorCode.RESOURCE_DOES_NOT_EXIST,
        "The registry has no state " + what + ": the model_versions table did not exist yet or"
            + " that version was never committed.");
  }
}
