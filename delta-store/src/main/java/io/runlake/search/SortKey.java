package io.runlake.search;

import org.apache.spark.sql.Column;

/** One never-null component of a sort order, with its direction and type (for page tokens). */
public record SortKey(Column column, boolean ascending, Type type) {
  public enum Type {
    INT,
    DOUBLE,
    STRING
  }

  public Column ordering() {
    return ascending ? column.asc() : column.desc();
  }
}
