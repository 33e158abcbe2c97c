package io.runlake.plugin.internal;

import io.runlake.tracking.LineageRecord;
import io.runlake.tracking.LineageRecord.Direction;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.commands.WriteIntoDelta;
import org.apache.spark.sql.delta.files.TahoeFileIndex;
import org.apache.spark.sql.delta.files.TahoeFileIndexWithSnapshotDescriptor;
import org.apache.spark.sql.delta.files.TahoeLogFileIndex;
import org.apache.spark.sql.catalyst.plans.logical.CommandResult;
import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.execution.datasources.FileFormat;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.InsertIntoHadoopFsRelationCommand;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.execution.datasources.SaveIntoDataSourceCommand;
import scala.Option;
import scala.runtime.BoxedUnit;

/**
 * The sources a query read and the sinks it wrote, from its plan: path, format, catalog table and,
 * for Delta tables, the version read (the snapshot the query was analysed against) or written (the
 * table's version right after the write).
 */
final class Lineage {
  private Lineage() {}

  /**
   * @param endTime when the query ended: a Delta table written is recorded at the newest version
   *     committed by then (later writes may have landed before this runs)
   */
  static Set<LineageRecord> of(SparkSession spark, QueryExecution qe, long endTime) {
    Set<LineageRecord> out = new LinkedHashSet<>();
    visit(spark, qe.analyzed(), out, endTime);
    return qualified(spark, out);
  }

  /** The sources a Dataset reads (for a fit's training data). */
  static Set<LineageRecord> sources(SparkSession spark, LogicalPlan plan) {
    Set<LineageRecord> out = new LinkedHashSet<>();
    plan.foreach(
        node -> {
          if (node instanceof LogicalRelation relation) {
            read(relation, out);
          }
          return BoxedUnit.UNIT;
        });
    return qualified(spark, out);
  }

  /**
   * Every path fully qualified ({@code file:/data/t}, as reads report them; writes report
   * {@code /data/t}), so one table is one record; runlake's own transaction logs left out.
   */
  private static Set<LineageRecord> qualified(SparkSession spark, Set<LineageRecord> records) {
    org.apache.hadoop.conf.Configuration conf = spark.sessionState().newHadoopConf();
    Set<LineageRecord> out = new LinkedHashSet<>();
    for (LineageRecord r : records) {
      if (r.path().contains("/_delta_log")) {
        continue;
      }
      String path = r.path();
      try {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
        path = p.getFileSystem(conf).makeQualified(p).toString();
      } catch (java.io.IOException | IllegalArgumentException e) {
        // Keep the path as Spark reported it.
      }
      out.add(new LineageRecord(r.direction(), path, r.format(), r.table(), r.version()));
    }
    return out;
  }

  private static void visit(SparkSession spark, LogicalPlan plan, Set<LineageRecord> out, long endTime) {
    plan.foreach(
        node -> {
          if (node instanceof CommandResult result) {
            visit(spark, result.commandLogicalPlan(), out, endTime);
          } else if (node instanceof LogicalRelation relation) {
            read(relation, out);
          } else if (node instanceof InsertIntoHadoopFsRelationCommand insert) {
            out.add(
                new LineageRecord(
                    Direction.WRITE, insert.outputPath().toString(), format(insert.fileFormat()),
                    table(insert.catalogTable()), null));
          } else if (node instanceof WriteIntoDelta write) {
            DeltaLog log = write.deltaLog();
            out.add(
                new LineageRecord(
                    Direction.WRITE, log.dataPath().toString(), "delta", table(write.catalogTableOpt()),
                    committedBy(spark, log.dataPath().toString(), endTime)));
          } else if (node instanceof SaveIntoDataSourceCommand save) {
            Option<String> path = save.options().get("path");
            if (path.isDefined()) {
              String format = save.dataSource().getClass().getSimpleName().toLowerCase(Locale.ROOT).contains("delta") ? "delta" : "unknown";
              Long version = format.equals("delta") ? committedBy(spark, path.get(), endTime) : null;
              out.add(new LineageRecord(Direction.WRITE, path.get(), format, null, version));
            }
          }
          return BoxedUnit.UNIT;
        });
  }

  private static void read(LogicalRelation relation, Set<LineageRecord> out) {
    if (!(relation.relation() instanceof HadoopFsRelation fs)) {
      return;
    }
    String table = table(relation.catalogTable());
    if (fs.location() instanceof TahoeFileIndex delta) {
      Long version = null;
      if (delta instanceof TahoeLogFileIndex log) {
        version = log.snapshotAtAnalysis().version();
      } else if (delta instanceof TahoeFileIndexWithSnapshotDescriptor snap) {
        version = snap.version();
      }
      out.add(new LineageRecord(Direction.READ, delta.path().toString(), "delta", table, version));
      return;
    }
    scala.collection.Iterator<org.apache.hadoop.fs.Path> roots = fs.location().rootPaths().iterator();
    while (roots.hasNext()) {
      out.add(new LineageRecord(Direction.READ, roots.next().toString(), format(fs.fileFormat()), table, null));
    }
  }

  /**
   * The newest version of the Delta table at {@code path} committed at or before {@code time}. A
   * commit's timestamp is its log file's modification time, which precedes the end of the query that
   * wrote it; a coarse file system clock (S3's seconds) only makes it earlier. No slack is added: a
   * later write to the same table soon after would otherwise be taken for this one.
   */
  private static Long committedBy(SparkSession spark, String path, long time) {
    java.util.List<org.apache.spark.sql.Row> rows =
        io.delta.tables.DeltaTable.forPath(spark, path)
            .history(20)
            .where(org.apache.spark.sql.functions.col("timestamp").leq(new java.sql.Timestamp(time)))
            .orderBy(org.apache.spark.sql.functions.col("version").desc())
            .select("version")
            .limit(1)
            .collectAsList();
    return rows.isEmpty() ? null : rows.get(0).getLong(0);
  }

  private static String table(Option<org.apache.spark.sql.catalyst.catalog.CatalogTable> table) {
    return table.isDefined() ? table.get().identifier().unquotedString() : null;
  }

  private static String format(FileFormat format) {
    String name = format.toString().toLowerCase(Locale.ROOT);
    for (String known : new String[] {"parquet", "orc", "csv", "json", "text", "avro", "delta"}) {
      if (name.contains(known)) {
        return known;
      }
    }
    return name;
  }

  /** MLflow's {@code sparkDatasourceInfo} tag line for a source. */
  static String datasourceInfo(LineageRecord r) {
    return "path=" + r.path() + ",version=" + (r.version() == null ? "" : r.version()) + ",format=" + r.format();
  }
}
