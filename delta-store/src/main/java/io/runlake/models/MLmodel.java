package io.runlake.models;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.runlake.errors.ErrorCode;
import io.runlake.errors.RunlakeException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The {@code MLmodel} file of an MLflow model directory: which flavors can load the model, its
 * signature, its input example, and where it came from. Read and written in MLflow's YAML layout, so
 * that MLflow loads what runlake writes and runlake what MLflow writes; fields runlake does not know
 * are kept as they were.
 */
public final class MLmodel {
  public static final String FILE_NAME = "MLmodel";
  private static final YAMLMapper YAML =
      YAMLMapper.builder(
              YAMLFactory.builder()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                  .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                  .build())
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .build();

  private final Map<String, Object> fields;

  private MLmodel(Map<String, Object> fields) {
    this.fields = fields;
  }

  /** A new MLmodel with the given top-level fields (see {@link #builder()}). */
  public static Builder builder() {
    return new Builder();
  }

  /** Parses an MLmodel file's text. */
  public static MLmodel parse(String yaml) {
    try {
      Map<String, Object> map = YAML.readValue(yaml, new TypeReference<LinkedHashMap<String, Object>>() {});
      return new MLmodel(map == null ? new LinkedHashMap<>() : map);
    } catch (JsonProcessingException e) {
      throw new RunlakeException(
          ErrorCode.INVALID_PARAMETER_VALUE, "The MLmodel file is not valid YAML: " + e.getOriginalMessage(), e);
    }
  }

  public String toYaml() {
    try {
      return YAML.writeValueAsString(new TreeMap<>(fields));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write MLmodel", e);
    }
  }

  public Optional<String> runId() {
    return string("run_id");
  }

  public Optional<String> artifactPath() {
    return string("artifact_path");
  }

  public Optional<String> modelUuid() {
    return string("model_uuid");
  }

  public Optional<String> utcTimeCreated() {
    return string("utc_time_created");
  }

  /** The flavors by name, each with its configuration. */
  @SuppressWarnings("unchecked")
  public Map<String, Map<String, Object>> flavors() {
    Object f = fields.get("flavors");
    return f instanceof Map<?, ?> m ? (Map<String, Map<String, Object>>) m : Map.of();
  }

  public Optional<Map<String, Object>> flavor(String name) {
    return Optional.ofNullable(flavors().get(name));
  }

  /** The signature, if the model has one. */
  public Optional<ModelSignature> signature() {
    Object s = fields.get("signature");
    if (!(s instanceof Map<?, ?> m) || m.get("inputs") == null) {
      return Optional.empty();
    }
    return Optional.of(
        ModelSignature.fromJson((String) m.get("inputs"), (String) m.get("outputs")));
  }

  /** Any top-level field, as read from the YAML. */
  public Object field(String name) {
    return fields.get(name);
  }

  private Optional<String> string(String name) {
    Object v = fields.get(name);
    return v == null ? Optional.empty() : Optional.of(v.toString());
  }

  /** Builds an MLmodel; the keys are MLflow's. */
  public static final class Builder {
    private final Map<String, Object> fields = new LinkedHashMap<>();
    private final Map<String, Object> flavors = new LinkedHashMap<>();

    private Builder() {}

    public Builder set(String key, Object value) {
      fields.put(key, value);
      return this;
    }

    public Builder flavor(String name, Map<String, Object> config) {
      flavors.put(name, new TreeMap<>(config));
      return this;
    }

    public Builder signature(ModelSignature signature) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("inputs", signature.inputsJson());
      s.put("outputs", signature.outputsJson());
      s.put("params", null);
      fields.put("signature", s);
      return this;
    }

    public MLmodel build() {
      Map<String, Object> all = new LinkedHashMap<>(fields);
      all.put("flavors", new TreeMap<>(flavors));
      return new MLmodel(all);
    }
  }
}
