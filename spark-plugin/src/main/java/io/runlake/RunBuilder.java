package io.runlake;

import io.runlake.errors.ErrorCode;
import io.runlake.errors.RunlakeException;
import io.runlake.tracking.Run;
import io.runlake.tracking.RunTag;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Describes a run before it starts. Obtained from {@link Tracking#newRun()}. */
public final class RunBuilder {
  static final String PARENT_RUN_ID_TAG = "mlflow.parentRunId";

  private final Tracking tracking;
  private String name;
  private String experimentId;
  private boolean nested;
  private final Map<String, String> tags = new LinkedHashMap<>();

  RunBuilder(Tracking tracking) {
    this.tracking = tracking;
  }

  public RunBuilder name(String name) {
    this.name = name;
    return this;
  }

  /** The experiment to start the run in; by default the tracking's current experiment. */
  public RunBuilder experimentId(String experimentId) {
    this.experimentId = experimentId;
    return this;
  }

  public RunBuilder tag(String key, String value) {
    tags.put(key, value);
    return this;
  }

  public RunBuilder tags(Map<String, String> more) {
    tags.putAll(more);
    return this;
  }

  /** Starts the run as a child of this thread's active run ({@code mlflow.parentRunId}). */
  public RunBuilder nested() {
    this.nested = true;
    return this;
  }

  /**
   * Creates the run and makes it this thread's active run.
   *
   * @throws RunlakeException INVALID_STATE if a run is already active and this one is not nested
   */
  public ActiveRun start() {
    List<RunTag> runTags = new ArrayList<>();
    tags.forEach((k, v) -> runTags.add(new RunTag(k, v)));
    if (nested) {
      ActiveRun parent =
          tracking
              .activeRun()
              .orElseThrow(
                  () ->
                      new RunlakeException(
                          ErrorCode.INVALID_STATE,
                          "A nested run needs an active parent run in this thread. Start the"
                              + " parent run first."));
      runTags.add(new RunTag(PARENT_RUN_ID_TAG, parent.id()));
    } else {
      tracking.requireNoActiveRun();
    }
    String experiment = experimentId != null ? experimentId : tracking.experimentId();
    Run run = tracking.store().createRun(experiment, null, null, runTags, name);
    return tracking.push(new ActiveRun(tracking, run.info()));
  }
}
