package io.runlake.tracking;

import java.util.List;

/** A run: its attributes, what was logged to it, and the datasets it used. */
public record Run(RunInfo info, RunData data, List<DatasetInput> inputs) {
  public Run {
    inputs = List.copyOf(inputs);
  }
}
