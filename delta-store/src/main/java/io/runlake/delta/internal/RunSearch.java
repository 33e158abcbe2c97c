package io.runlake.delta.internal;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.runlake.search.Filter;
import io.runlake.search.OrderBy;
import io.runlake.search.RunPredicates;
import io.runlake.search.SearchSchema;
import io.runlake.search.SortKey;
import io.runlake.tracking.LifecycleStage;
import io.runlake.tracking.Page;
import io.runlake.tracking.Run;
import io.runlake.tracking.ViewType;
import io.runlake.tracking.internal.TrackingErrors;
import io.runlake.tracking.internal.Validation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * One run search: the parsed filter and order, compiled to Spark columns, run over the run state.
 *
 * <p>Pages are keyset pages: a page token holds the sort key of the last run returned, and the next
 * page starts strictly after it. Every order ends with the run id, so the key is unique; runs added
 * while a client pages through sort either before the token (and are not returned) or after it (and
 * are), and no run is returned twice or skipped.
 */
final class RunSearch {
  static final int MAX_RESULTS_LIMIT = 50_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<String> experimentIds;
  private final Filter filter;
  private final ViewType view;
  private final List<OrderBy> order;
  private final List<SortKey> keys;

  RunSearch(List<String> experimentIds, String filter, ViewType view, List<String> orderBy) {
    if (experimentIds == null || experimentIds.isEmpty()) {
      throw TrackingErrors.invalid(
          "A run search needs at least one experiment id: pass the ids of the experiments to"
              + " search.");
    }
    experimentIds.forEach(Validation::experimentId);
    this.experimentIds = List.copyOf(experimentIds);
    this.filter = Filter.parse(filter, SearchSchema.RUNS);
    this.view = view == null ? ViewType.ACTIVE_ONLY : view;
    List<OrderBy> parsed = new ArrayList<>();
    for (String clause : orderBy == null ? List.<String>of() : orderBy) {
      parsed.add(OrderBy.parse(clause, SearchSchema.RUNS));
    }
    this.order = List.copyOf(parsed);
    this.keys = RunPredicates.sortKeys(order);
  }

  Filter filter() {
    return filter;
  }

  /**
   * The matching runs of {@code runs}, a frame of {@link Tables#SEARCH_COLUMNS} (the {@code runs} view
   * plus {@code latest_metrics}).
   */
  Dataset<Row> frame(Dataset<Row> runs) {
    Column scope = col("experiment_id").isin(experimentIds.toArray());
    if (view != ViewType.ALL) {
      LifecycleStage stage = view == ViewType.ACTIVE_ONLY ? LifecycleStage.ACTIVE : LifecycleStage.DELETED;
      scope = scope.and(col("lifecycle_stage").equalTo(stage.wireName()));
    }
    return runs.where(scope.and(RunPredicates.compile(filter)));
  }

  Dataset<Row> ordered(Dataset<Row> frame) {
    return frame.orderBy(keys.stream().map(SortKey::ordering).toArray(Column[]::new));
  }

  Page<Run> page(Dataset<Row> candidates, int maxResults, String pageToken) {
    if (maxResults < 1 || maxResults > MAX_RESULTS_LIMIT) {
      throw TrackingErrors.badMaxResults(maxResults, MAX_RESULTS_LIMIT);
    }
    Dataset<Row> matches = frame(candidates);
    if (pageToken != null && !pageToken.isEmpty()) {
      matches = matches.where(after(decode(pageToken)));
    }
    int width = matches.columns().length;
    Column[] withKeys = new Column[width + keys.size()];
    for (int i = 0; i < width; i++) {
      withKeys[i] = col(matches.columns()[i]);
    }
    for (int i = 0; i < keys.size(); i++) {
      withKeys[width + i] = keys.get(i).column().as("__sort_" + i);
    }
    Column[] orderBy = new Column[keys.size()];
    for (int i = 0; i < keys.size(); i++) {
      orderBy[i] = keys.get(i).ascending() ? col("__sort_" + i).asc() : col("__sort_" + i).desc();
    }
    List<Row> rows = matches.select(withKeys).orderBy(orderBy).limit(maxResults + 1).collectAsList();
    List<Run> runs = new ArrayList<>();
    for (int i = 0; i < Math.min(maxResults, rows.size()); i++) {
      runs.add(Rows.run(rows.get(i)));
    }
    Optional<String> next =
        rows.size() > maxResults ? Optional.of(encode(rows.get(maxResults - 1), width)) : Optional.empty();
    return new Page<>(runs, next);
  }

  /** Strictly after {@code last} in the (lexicographic, never-null) sort key order. */
  private Column after(List<Object> last) {
    Column after = lit(false);
    Column samePrefix = lit(true);
    for (int i = 0; i < keys.size(); i++) {
      Column k = keys.get(i).column();
      Column v = lit(last.get(i));
      after = after.or(samePrefix.and(keys.get(i).ascending() ? k.gt(v) : k.lt(v)));
      samePrefix = samePrefix.and(k.equalTo(v));
    }
    return after;
  }

  /** A token names its search, so that a token is never applied to a different one. */
  private String fingerprint() {
    return Integer.toHexString(
        (experimentIds + "|" + filter + "|" + view + "|" + order).hashCode());
  }

  private String encode(Row last, int offset) {
    ObjectNode token = JSON.createObjectNode();
    token.put("s", fingerprint());
    ArrayNode values = token.putArray("k");
    for (int i = 0; i < keys.size(); i++) {
      Object v = last.get(offset + i);
      switch (keys.get(i).type()) {
        case INT -> values.add(((Number) v).intValue());
        case DOUBLE -> values.add(Double.toString(((Number) v).doubleValue()));
        case STRING -> values.add((String) v);
      }
    }
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(token.toString().getBytes(StandardCharsets.UTF_8));
  }

  private List<Object> decode(String pageToken) {
    try {
      JsonNode token =
          JSON.readTree(new String(Base64.getUrlDecoder().decode(pageToken), StandardCharsets.UTF_8));
      JsonNode values = token.get("k");
      if (token.get("s") == null || values == null || values.size() != keys.size()) {
        throw TrackingErrors.badPageToken(pageToken);
      }
      if (!token.get("s").asText().equals(fingerprint())) {
        throw TrackingErrors.invalid(
            "The page token '" + pageToken + "' belongs to a different search (other experiments,"
                + " filter, view or order). Page with the token of the previous page of this"
                + " search, or start again without one.");
      }
      List<Object> out = new ArrayList<>();
      for (int i = 0; i < keys.size(); i++) {
        JsonNode v = values.get(i);
        out.add(
            switch (keys.get(i).type()) {
              case INT -> v.intValue();
              case DOUBLE -> Double.parseDouble(v.asText());
              case STRING -> v.textValue();
            });
      }
      return out;
    } catch (IllegalArgumentException | IOException e) {
      throw TrackingErrors.badPageToken(pageToken);
    }
  }
}
