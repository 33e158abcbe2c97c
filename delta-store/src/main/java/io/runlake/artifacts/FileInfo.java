package io.runlake.artifacts;

/**
 * An entry of an artifact listing, as MLflow returns it: a path relative to the artifact root, whether
 * it is a directory, and its size in bytes (null for directories).
 */
public record FileInfo(String path, boolean isDir, Long fileSize) {}
