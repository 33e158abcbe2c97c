package io.runlake.tracking;

/** A mutable key/value label on a run or experiment. */
public record RunTag(String key, String value) {}
