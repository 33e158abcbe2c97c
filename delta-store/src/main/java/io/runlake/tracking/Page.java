package io.runlake.tracking;

import java.util.List;
import java.util.Optional;

/** One page of results and the opaque token of the next page, if there is one. */
public record Page<T>(List<T> items, Optional<String> nextPageToken) {
  public Page {
    items = List.copyOf(items);
  }
}
