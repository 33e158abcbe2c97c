package io.runlake.tracking;

/**
 * A data source a run read, or a sink it wrote: its path, format ({@code delta}, {@code parquet}...),
 * catalog table name (or null) and, for Delta tables, the table version read or written (or null).
 */
public record LineageRecord(
    Direction direction, String path, String format, String table, Long version) {

  public enum Direction {
    READ,
    WRITE
  }
}
