package io.runlake.tracking;

/** A run parameter: logged once, never changed. */
public record Param(String key, String value) {}
