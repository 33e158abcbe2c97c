package io.runlake.delta.internal;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count_distinct;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.when;

import io.runlake.search.EntityType;
import io.runlake.search.Filter;
import io.runlake.search.Identifier;
import io.runlake.search.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.Snapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * The key index, {@code run_keys}: one row per run and metric, param or tag key, with its value. The
 * state table keeps those as maps, on which Delta collects no file statistics; here key and value are
 * leading columns, and each append is sorted by (kind, key, value), so a predicate on one key skips
 * the files of other keys and other value ranges. A search with key predicates finds its candidate
 * runs here, then reads only their state.
 *
 * <p>The index is append-only: each refresh appends the current rows of the runs it folded, and older
 * rows of those runs stay. A lookup therefore finds a superset of the runs whose state matches (a run
 * whose metric went from 0.5 to 0.95 is a candidate for both {@code < 0.6} and {@code > 0.9}), and the
 * search applies the exact predicate to the state afterwards: a stale row costs a false candidate,
 * never a lost run, and every refresh stays one blind append.
 *
 * <p>Its watermark (Delta's idempotent-write marker, as for the state) is the journal version whose
 * state it covers. A search uses the index only when that equals the state table's watermark, so that
 * both describe the same runs; between a refresh's two commits, searches read the state whole.
 */
final class KeyIndex {
  static final String APP_ID = "runlake.run_keys.from_run_state";
  /** Beyond this many candidates a predicate is not selective: reading the state whole is cheaper. */
  static final int CANDIDATE_LIMIT = 10_000;
  private static final int MAX_FILES_PER_WRITE = 1_000;
  private static final int FRAGMENTED_FILES = 32;
  private static final Logger LOG = LoggerFactory.getLogger(KeyIndex.class);

  private final Tables tables;
  private final int rowsPerFile;
  private volatile long filesAfterRewrite;

  KeyIndex(Tables tables, int rowsPerFile) {
    this.tables = tables;
    this.rowsPerFile = rowsPerFile;
  }

  /**
   * Appends the index rows of {@code state} (rows of the state table) as of journal version {@code
   * version}, in files of consecutive (kind, key, value) ranges.
   */
  void append(Dataset<Row> state, long version) {
    write(rows(state), "append", version);
  }

  /**
   * Rewrites the whole index from {@code state}, the state table at the index's own watermark, once
   * appends (one file or more each) have added more than {@value #FRAGMENTED_FILES} files since the
   * last rewrite: sorted files again, and no stale rows. A rewrite that loses a race with another
   * process's append is dropped (that append read nothing, so it is kept) and a later refresh tries
   * again.
   */
  void compactIfFragmented(Snapshot index, Dataset<Row> state) {
    if (index.numOfFiles() <= filesAfterRewrite + FRAGMENTED_FILES) {
      return;
    }
    try {
      write(rows(state), "overwrite", null);
    } catch (RuntimeException e) {
      if (Retry.conflictCause(e) == null) {
        throw e;
      }
      LOG.info("The key index rewrite lost a race with another writer; a later refresh retries it");
      return;
    }
    filesAfterRewrite =
        DeltaLog.forTable(state.sparkSession(), tables.path(Tables.RUN_KEYS))
            .update(false, Option.empty(), Option.empty())
            .numOfFiles();
  }

  private static Dataset<Row> rows(Dataset<Row> state) {
    return entries(state, Event.METRIC, "latest_metrics", "value.value", null)
        .unionByName(entries(state, Event.PARAM, "params", null, "value"))
        .unionByName(entries(state, Event.TAG, "tags", null, "value"));
  }

  /**
   * Writes {@code rows} sorted, {@link #rowsPerFile} to a file, with the watermark {@code version} if
   * given: even when there are no rows, so that the watermark keeps up with the state's.
   */
  private void write(Dataset<Row> rows, String mode, Long version) {
    long count = rows.count();
    int files = (int) Math.max(1, Math.min(MAX_FILES_PER_WRITE, (count + rowsPerFile - 1) / rowsPerFile));
    DataFrameWriter<Row> writer =
        rows.repartitionByRange(files, col("kind"), col("key"), col("num"), col("text"))
            .sortWithinPartitions("kind", "key", "num", "text")
            .write()
            .format("delta")
            .mode(mode);
    if (version != null) {
      writer = writer.option("txnAppId", APP_ID).option("txnVersion", version);
    }
    writer.save(tables.path(Tables.RUN_KEYS));
  }

  private static Dataset<Row> entries(Dataset<Row> state, String kind, String map, String num, String text) {
    Dataset<Row> exploded = state.select(col("run_id"), col("experiment_id"), explode(col(map)));
    return exploded.select(
        lit(kind).as("kind"),
        col("key"),
        (num == null ? lit(null).cast("double") : col(num)).as("num"),
        (text == null ? lit(null).cast("string") : col(text)).as("text"),
        col("run_id"),
        col("experiment_id"));
  }

  static long watermark(Snapshot index) {
    Option<Object> version = index.transactions().get(APP_ID);
    return version.isDefined() ? (Long) version.get() : -1L;
  }

  /**
   * The runs that can match {@code filter}, looked up in the index as of {@code index}: empty when the
   * filter has no key predicate the index answers, or too many runs are candidates to be worth it.
   */
  Optional<List<String>> candidates(SparkSession spark, Snapshot index, Filter filter) {
    List<Column> required = required(filter);
    if (required.isEmpty()) {
      return Optional.empty();
    }
    Column[] tagged = new Column[required.size()];
    for (int i = 0; i < tagged.length; i++) {
      tagged[i] = when(required.get(i), lit(i));
    }
    Column any = required.stream().reduce(Column::or).orElseThrow();
    List<Row> rows =
        spark.read().format("delta").option("versionAsOf", index.version()).load(tables.path(Tables.RUN_KEYS))
            .where(any)
            .select(col("run_id"), explode(filter(array(tagged), Column::isNotNull)).as("i"))
            .groupBy("run_id")
            .agg(count_distinct(col("i")).as("n"))
            .where(col("n").equalTo(required.size()))
            .select("run_id")
            .limit(CANDIDATE_LIMIT + 1)
            .collectAsList();
    if (rows.size() > CANDIDATE_LIMIT) {
      return Optional.empty();
    }
    List<String> ids = new ArrayList<>(rows.size());
    rows.forEach(r -> ids.add(r.getString(0)));
    return Optional.of(ids);
  }

  /**
   * Conditions on index rows that a matching run must each satisfy with at least one of its rows: one
   * per top-level conjunct the index can answer. Empty when none can.
   */
  static List<Column> required(Filter filter) {
    List<Column> out = new ArrayList<>();
    if (filter instanceof Filter.And and) {
      and.operands().forEach(f -> row(f).ifPresent(out::add));
    } else {
      row(filter).ifPresent(out::add);
    }
    return out;
  }

  /** A condition that some index row of every run matching {@code filter} satisfies, if one exists. */
  private static Optional<Column> row(Filter filter) {
    if (filter instanceof Filter.Comparison c) {
      return comparison(c);
    }
    if (filter instanceof Filter.IsNull isNull && isNull.negated()) {
      return present(isNull.identifier());
    }
    if (filter instanceof Filter.And and) {
      return and.operands().stream().map(KeyIndex::row).flatMap(Optional::stream).findFirst();
    }
    if (filter instanceof Filter.Or or) {
      List<Column> each = new ArrayList<>();
      for (Filter operand : or.operands()) {
        Optional<Column> c = row(operand);
        if (c.isEmpty()) {
          return Optional.empty(); // a run may match through this operand without any key row
        }
        each.add(c.get());
      }
      return each.stream().reduce(Column::or);
    }
    return Optional.empty(); // NOT, IS NULL, attributes, datasets: no key row is implied
  }

  /**
   * Comparisons on a key are false for runs without it (MLflow's rule, {@code !=} included), so each
   * implies a row of that key. A NaN metric compares false except by {@code !=} (Spark would order it
   * above every number), so it is no candidate for the others.
   */
  private static Optional<Column> comparison(Filter.Comparison c) {
    Optional<Column> present = present(c.identifier());
    if (present.isEmpty()) {
      return present;
    }
    Value v = c.value();
    Column value;
    if (c.identifier().type() == EntityType.METRIC && v instanceof Value.Number n) {
      Column num = col("num");
      Object x = n.doubleValue();
      value = switch (c.comparator()) {
        case EQ -> num.equalTo(x);
        case GT -> num.gt(x);
        case GTE -> num.geq(x);
        case LT -> num.lt(x);
        case LTE -> num.leq(x);
        default -> null;
      };
      if (value != null) {
        value = value.and(not(isnan(num)));
      }
    } else if (c.identifier().type() != EntityType.METRIC && v instanceof Value.Text t) {
      Column text = col("text");
      value = switch (c.comparator()) {
        case EQ -> text.equalTo(t.text());
        case LIKE -> text.like(t.text());
        case ILIKE -> text.ilike(t.text());
        default -> null;
      };
    } else {
      value = null;
    }
    return Optional.of(value == null ? present.get() : present.get().and(value));
  }

  private static Optional<Column> present(Identifier id) {
    String kind = switch (id.type()) {
      case METRIC -> Event.METRIC;
      case PARAM -> Event.PARAM;
      case TAG -> Event.TAG;
      default -> null;
    };
    return kind == null
        ? Optional.empty()
        : Optional.of(col("kind").equalTo(kind).and(col("key").equalTo(id.key())));
  }
}
