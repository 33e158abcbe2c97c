package io.runlake.delta.internal;

import io.runlake.search.EntityType;
import io.runlake.search.Filter;
import io.runlake.search.FilterEvaluator;
import io.runlake.search.Identifier;
import io.runlake.search.OrderBy;
import io.runlake.search.SearchSchema;
import io.runlake.tracking.Experiment;
import io.runlake.tracking.ViewType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Experiment search, evaluated in memory over the (small) experiments table. */
final class ExperimentSearch {
  private static final List<OrderBy> DEFAULT_ORDER =
      List.of(
          new OrderBy(new Identifier(EntityType.ATTRIBUTE, "creation_time"), false),
          new OrderBy(new Identifier(EntityType.ATTRIBUTE, "experiment_id"), true));

  private ExperimentSearch() {}

  static List<Experiment> search(
      List<Experiment> experiments, String filterText, ViewType viewType, List<String> orderBy) {
    Filter filter = Filter.parse(filterText, SearchSchema.EXPERIMENTS);
    List<OrderBy> order = new ArrayList<>();
    for (String clause : orderBy == null ? List.<String>of() : orderBy) {
      order.add(OrderBy.parse(clause, SearchSchema.EXPERIMENTS));
    }
    order.addAll(DEFAULT_ORDER);
    ViewType view = viewType == null ? ViewType.ACTIVE_ONLY : viewType;
    return experiments.stream()
        .filter(e -> view.includes(e.lifecycleStage()))
        .filter(e -> FilterEvaluator.matches(filter, id -> value(e, id)))
        .sorted(comparator(order))
        .toList();
  }

  static Object value(Experiment e, Identifier id) {
    if (id.type() == EntityType.TAG) {
      return e.tags().get(id.key());
    }
    return switch (id.key()) {
      case "name" -> e.name();
      case "experiment_id" -> e.experimentId();
      case "creation_time" -> e.creationTime();
      case "last_update_time" -> e.lastUpdateTime();
      default -> throw new IllegalArgumentException("not an experiment attribute: " + id);
    };
  }

  /** Clause by clause; missing values last in either direction. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Comparator<Experiment> comparator(List<OrderBy> order) {
    Comparator<Experiment> result = (a, b) -> 0;
    for (OrderBy o : order) {
      Comparator<Comparable> values = o.ascending() ? Comparator.naturalOrder() : Comparator.reverseOrder();
      result =
          result.thenComparing(
              e -> (Comparable) value(e, o.identifier()), Comparator.nullsLast(values));
    }
    return result;
  }
}
