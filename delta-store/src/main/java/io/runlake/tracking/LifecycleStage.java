package io.runlake.tracking;

import java.util.Locale;

/** Whether an experiment or run is live or soft-deleted (and can still be restored). */
public enum LifecycleStage {
  ACTIVE,
  DELETED;

  /** The lower-case name MLflow uses on the wire and in tables: {@code active} or {@code deleted}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static LifecycleStage fromWireName(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
