package io.runlake.artifacts;

import io.runlake.tracking.Page;
import java.nio.file.Path;

/**
 * The files under one artifact root (a run's artifact URI, or a model's directory), on any Hadoop
 * file system: {@code file:}, {@code s3a:}, {@code hdfs:}... Paths are relative to the root, with
 * {@code /} separators, and may not escape it. Obtain one from {@link ArtifactRepositories}.
 */
public interface ArtifactRepository {

  /** The root URI. */
  String rootUri();

  /** The URI of {@code path} under the root. */
  String uri(String path);

  /**
   * Copies a local file to {@code artifactPath/<file name>} (or to the root when
   * {@code artifactPath} is null or empty).
   */
  void logFile(Path localFile, String artifactPath);

  /** Copies the contents of a local directory under {@code artifactPath} (the root when empty). */
  void logDirectory(Path localDirectory, String artifactPath);

  /** Writes {@code text} (UTF-8) to the file at {@code path}, replacing it. */
  void writeText(String path, String text);

  /** The UTF-8 text of the file at {@code path}. */
  String readText(String path);

  /**
   * The direct children of directory {@code path} (the root when null or empty), ordered by path;
   * an empty page when nothing is there.
   *
   * @param maxResults 1 to 10,000
   * @param pageToken null for the first page, else the token of the previous page
   */
  Page<FileInfo> list(String path, int maxResults, String pageToken);

  /**
   * Copies the file or directory at {@code path} (the whole root when empty) into the local directory
   * {@code destination} and returns the local path of what was copied.
   */
  Path download(String path, Path destination);

  /** Whether anything exists at {@code path}. */
  boolean exists(String path);
}
