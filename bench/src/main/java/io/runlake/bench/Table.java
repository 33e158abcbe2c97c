package io.runlake.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A Markdown table printed to standard output, so that results paste into the README. */
final class Table {
  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();

  Table(String... header) {
    this.header = List.of(header);
  }

  void row(String... cells) {
    rows.add(List.of(cells));
  }

  void print() {
    int[] width = new int[header.size()];
    for (int i = 0; i < width.length; i++) {
      width[i] = header.get(i).length();
      for (List<String> r : rows) {
        width[i] = Math.max(width[i], r.get(i).length());
      }
    }
    System.out.println(line(header, width));
    StringBuilder rule = new StringBuilder("|");
    for (int w : width) {
      rule.append("-".repeat(w + 2)).append('|');
    }
    System.out.println(rule);
    for (List<String> r : rows) {
      System.out.println(line(r, width));
    }
    System.out.flush();
  }

  private static String line(List<String> cells, int[] width) {
    StringBuilder b = new StringBuilder("|");
    for (int i = 0; i < cells.size(); i++) {
      b.append(' ').append(String.format("%-" + width[i] + "s", cells.get(i))).append(" |");
    }
    return b.toString();
  }

  /** A number with two decimals and thousands separators. */
  static String f2(double v) {
    return String.format(Locale.ROOT, "%,.2f", v);
  }

  /** Items per second, whole and with thousands separators. */
  static String rate(long items, double seconds) {
    return String.format(Locale.ROOT, "%,.0f", items / seconds);
  }
}
