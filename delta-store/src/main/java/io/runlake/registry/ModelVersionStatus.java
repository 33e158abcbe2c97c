package io.runlake.registry;

/** Whether a model version is ready to use; runlake registers synchronously, so versions are READY. */
public enum ModelVersionStatus {
  PENDING_REGISTRATION,
  FAILED_REGISTRATION,
  READY
}
