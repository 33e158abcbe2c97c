package io.runlake.scoring.batch;

import io.runlake.errors.ErrorCode;
import io.runlake.errors.RunlakeException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.AddFile;
import org.apache.spark.sql.delta.actions.RemoveFile;
import scala.Option;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;

/** A Delta input of a scoring job, named by a catalog table or a path, read at pinned versions. */
final class DeltaInput {
  private final SparkSession spark;
  private final String name;
  private final DeltaLog log;

  DeltaInput(SparkSession spark, String name) {
    this.spark = spark;
    this.name = name;
    this.log = open(spark, name);
  }

  private static DeltaLog open(SparkSession spark, String name) {
    try {
      if (name.contains("/") || name.contains(":")) {
        return DeltaLog.forTable(spark, name);
      }
      String location =
          io.delta.tables.DeltaTable.forName(spark, name).detail().select("location").first().getString(0);
      return DeltaLog.forTable(spark, location);
    } catch (RuntimeException e) {
      throw new RunlakeException(
          ErrorCode.RESOURCE_DOES_NOT_EXIST,
          "Cannot open the scoring input '" + name + "' as a Delta table: " + e.getMessage()
              + ". Name a Delta table of the catalog or a Delta table path.",
          e);
    }
  }

  /** The input's latest version. */
  long latestVersion() {
    Snapshot s = log.update(false, Option.empty(), Option.empty());
    if (s.version() < 0) {
      throw new RunlakeException(
          ErrorCode.RESOURCE_DOES_NOT_EXIST, "The scoring input '" + name + "' is not a Delta table.");
    }
    return s.version();
  }

  /** Every row of the input as of {@code version}. */
  Dataset<Row> at(long version) {
    return spark.read().format("delta").option("versionAsOf", version).load(log.dataPath().toString());
  }

  /**
   * The rows added to the input in versions after {@code after} up to {@code upTo}.
   *
   * @throws RunlakeException INVALID_STATE if a version in between removed or rewrote rows (an
   *     incremental run can only follow an append-only input)
   */
  Dataset<Row> addedBetween(long after, long upTo) {
    List<AddFile> added = new ArrayList<>();
    Iterator<Tuple2<Object, scala.collection.immutable.Seq<Action>>> changes =
        CollectionConverters.asJava(log.getChanges(after + 1, upTo, Option.empty(), false));
    while (changes.hasNext()) {
      Tuple2<Object, scala.collection.immutable.Seq<Action>> change = changes.next();
      long version = (Long) change._1();
      for (Action a : CollectionConverters.asJava(change._2())) {
        if (a instanceof RemoveFile r && r.dataChange()) {
          throw new RunlakeException(
              ErrorCode.INVALID_STATE,
              "Version " + version + " of the scoring input '" + name + "' removed or rewrote rows,"
                  + " so an incremental run cannot tell which rows are new. Run this job once without"
                  + " --incremental to rescore the input.");
        }
        if (a instanceof AddFile f && f.dataChange()) {
          added.add(f);
        }
      }
    }
    Snapshot end = log.getSnapshotAt(upTo, Option.empty(), Option.empty(), false);
    return log.createDataFrame(end, CollectionConverters.asScala(added).toSeq(), false, Option.empty());
  }

  String name() {
    return name;
  }
}
