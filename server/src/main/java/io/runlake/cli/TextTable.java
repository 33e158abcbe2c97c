package io.runlake.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** A plain text table with aligned columns. */
final class TextTable {
  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();

  TextTable(String... header) {
    this.header = List.of(header);
  }

  /** The first {@code limit} rows of {@code frame}, every value printed as Spark casts it to string. */
  static TextTable of(Dataset<Row> frame, int limit) {
    String[] names = frame.columns();
    Column[] asText = new Column[names.length];
    for (int i = 0; i < names.length; i++) {
      asText[i] = frame.col("`" + names[i].replace("`", "``") + "`").cast("string");
    }
    TextTable table = new TextTable(names);
    for (Row r : frame.select(asText).limit(limit).collectAsList()) {
      Object[] cells = new Object[names.length];
      for (int i = 0; i < names.length; i++) {
        cells[i] = r.isNullAt(i) ? "NULL" : r.getString(i);
      }
      table.row(cells);
    }
    return table;
  }

  TextTable row(Object... cells) {
    List<String> row = new ArrayList<>();
    for (Object c : cells) {
      row.add(c == null ? "" : c.toString());
    }
    rows.add(row);
    return this;
  }

  void print(PrintStream out) {
    int[] width = new int[header.size()];
    for (int i = 0; i < width.length; i++) {
      width[i] = header.get(i).length();
      for (List<String> r : rows) {
        width[i] = Math.max(width[i], r.get(i).length());
      }
    }
    out.println(line(header, width));
    StringBuilder rule = new StringBuilder();
    for (int w : width) {
      rule.append("-".repeat(w)).append("  ");
    }
    out.println(rule.toString().stripTrailing());
    for (List<String> r : rows) {
      out.println(line(r, width));
    }
  }

  private static String line(List<String> cells, int[] width) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      b.append(String.format("%-" + width[i] + "s", cells.get(i))).append("  ");
    }
    return b.toString().stripTrailing();
  }
}
