package io.runlake.tracking;

/** A run: its attributes and what was logged to it. */
public record Run(RunInfo info, RunData data) {}
