package io.runlake.registry;

import io.runlake.errors.ErrorCode;
import io.runlake.errors.RunlakeException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** A model version's stage, as in MLflow's registry. Names match case-insensitively. */
public enum ModelStage {
  NONE("None"),
  STAGING("Staging"),
  PRODUCTION("Production"),
  ARCHIVED("Archived");

  private final String displayName;

  ModelStage(String displayName) {
    this.displayName = displayName;
  }

  /** MLflow's spelling: {@code None}, {@code Staging}, {@code Production}, {@code Archived}. */
  public String displayName() {
    return displayName;
  }

  public static Optional<ModelStage> find(String name) {
    if (name == null) {
      return Optional.empty();
    }
    String lower = name.toLowerCase(Locale.ROOT);
    return Arrays.stream(values())
        .filter(s -> s.displayName.toLowerCase(Locale.ROOT).equals(lower))
        .findFirst();
  }

  /** @throws RunlakeException INVALID_PARAMETER_VALUE naming the valid stages */
  public static ModelStage parse(String name) {
    return find(name)
        .orElseThrow(
            () ->
                new RunlakeException(
                    ErrorCode.INVALID_PARAMETER_VALUE,
                    "Invalid model version stage '" + name + "'. Valid stages are "
                        + Arrays.stream(values()).map(ModelStage::displayName).collect(Collectors.joining(", "))
                        + " (in any case)."));
  }

  @Override
  public String toString() {
    return displayName;
  }
}
