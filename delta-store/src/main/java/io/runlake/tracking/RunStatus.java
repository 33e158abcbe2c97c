package io.runlake.tracking;

/** A run's status, as in MLflow. */
public enum RunStatus {
  RUNNING,
  SCHEDULED,
  FINISHED,
  FAILED,
  KILLED;

  /** True for the statuses a run ends in. */
  public boolean isTerminated() {
    return this == FINISHED || this == FAILED || this == KILLED;
  }
}
