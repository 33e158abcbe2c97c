package io.runlake.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runlake.errors.ErrorCode;
import io.runlake.errors.RunlakeException;
import io.runlake.tracking.internal.Validation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValidationTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "loss", "train/loss", "a.b", "a-b_c", "with space", "k:v", "ünïcödé", "日本語", "a/b/c",
        "a..b", "a.."
      })
  void acceptsMlflowKeys(String key) {
    assertThatCode(() -> Validation.metricKey(key)).doesNotThrowAnyException();
    assertThatCode(() -> Validation.paramKey(key)).doesNotThrowAnyException();
    assertThatCode(() -> Validation.tagKey(key)).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(strings = {"a$b", "a;b", "a'b", "a\"b", "a\\b", "a*b", "a\tb", "a\nb", "a#b", "a%b"})
  void rejectsKeysWithForbiddenCharacters(String key) {
    assertThatThrownBy(() -> Validation.metricKey(key))
        .isInstanceOf(RunlakeException.class)
        .hasMessageStartingWith("Invalid metric name '" + key + "'. Names may only contain")
        .extracting(e -> ((RunlakeException) e).code())
        .isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", ".", "/a", "a/", "a//b", "a/./b", "a/../b", "..", "../a", "./a", "..a"})
  void rejectsKeysThatResolveToOtherPaths(String key) {
    assertThatThrownBy(() -> Validation.paramKey(key))
        .isInstanceOf(RunlakeException.class)
        .hasMessageContaining("must not resolve to other names")
        .extracting(e -> ((RunlakeException) e).code())
        .isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
  }

  @Test
  void acceptsKeysOf250Characters() {
    assertThatCode(() -> Validation.metricKey("x".repeat(250))).doesNotThrowAnyException();
  }

  @Test
  void rejectsKeysLongerThan250Characters() {
    assertThatThrownBy(() -> Validation.tagKey("k".repeat(251)))
        .hasMessageContaining("has 251 characters, more than the limit of 250");
  }

  @Test
  void rejectsMissingKey() {
    assertThatThrownBy(() -> Validation.metricKey(null))
        .hasMessage("Missing value for required parameter 'key'.");
  }

  @Test
  void limitsParamAndTagValues() {
    assertThatCode(() -> Validation.param(new Param("p", "v".repeat(6000))))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> Validation.param(new Param("p", "v".repeat(6001))))
        .hasMessage(
            "The value of param 'p' has 6001 characters, more than the limit of 6000. Shorten it,"
                + " or log long text as an artifact.");
    assertThatCode(() -> Validation.tag(new RunTag("t", "v".repeat(8000))))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> Validation.tag(new RunTag("t", "v".repeat(8001))))
        .hasMessageContaining("has 8001 characters, more than the limit of 8000");
    assertThatThrownBy(() -> Validation.param(new Param("p", null)))
        .hasMessage("Missing value for required parameter 'value'.");
  }

  @Test
  void limitsExperimentNames() {
    assertThatCode(() -> Validation.experimentName("n".repeat(500))).doesNotThrowAnyException();
    assertThatThrownBy(() -> Validation.experimentName("n".repeat(501)))
        .hasMessageContaining("has 501 characters, more than the limit of 500");
    assertThatThrownBy(() -> Validation.experimentName("  "))
        .hasMessage("Invalid experiment name '  ': it must not be empty or blank.");
    assertThatThrownBy(() -> Validation.experimentName(null))
        .hasMessage("Missing value for required parameter 'name'.");
  }

  @Test
  void limitsBatchSizes() {
    List<Metric> metrics1001 = Collections.nCopies(1001, new Metric("m", 1, 0, 0));
    assertThatThrownBy(() -> Validation.batch(metrics1001, List.of(), List.of()))
        .hasMessage(
            "A batch logging request can contain at most 1000 metrics. Got 1001 metrics. Split them"
                + " across several requests.");
    List<Param> params101 = new ArrayList<>();
    for (int i = 0; i < 101; i++) {
      params101.add(new Param("p" + i, "v"));
    }
    assertThatThrownBy(() -> Validation.batch(List.of(), params101, List.of()))
        .hasMessageContaining("at most 100 params. Got 101 params");
    List<RunTag> tags101 = Collections.nCopies(101, new RunTag("t", "v"));
    assertThatThrownBy(() -> Validation.batch(List.of(), List.of(), tags101))
        .hasMessageContaining("at most 100 tags. Got 101 tags");
    List<Metric> metrics950 = Collections.nCopies(950, new Metric("m", 1, 0, 0));
    List<Param> params60 = params101.subList(0, 60);
    assertThatThrownBy(() -> Validation.batch(metrics950, params60, List.of()))
        .hasMessageContaining("at most 1000 metrics, params and tags in total. Got 1010");
    assertThatCode(
            () ->
                Validation.batch(
                    Collections.nCopies(1000, new Metric("m", 1, 0, 0)), List.of(), List.of()))
        .doesNotThrowAnyException();
  }

  @Test
  void rejectsDuplicateParamKeysInABatch() {
    assertThatThrownBy(
            () ->
                Validation.batch(
                    List.of(), List.of(new Param("a", "1"), new Param("a", "2")), List.of()))
        .hasMessage(
            "Duplicate parameter key 'a' in one batch. Send one value per param key.");
  }

  @Test
  void batchChecksEveryItem() {
    assertThatThrownBy(
            () -> Validation.batch(List.of(new Metric("bad$", 1, 0, 0)), List.of(), List.of()))
        .hasMessageStartingWith("Invalid metric name 'bad$'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-abc", "a b", "a/b", "a'b"})
  void rejectsMalformedRunIds(String runId) {
    assertThatThrownBy(() -> Validation.runId(runId))
        .hasMessageStartingWith("Invalid run ID '" + runId + "'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-1", "1 OR 1=1", "a'b"})
  void rejectsMalformedExperimentIds(String id) {
    assertThatThrownBy(() -> Validation.experimentId(id))
        .hasMessageStartingWith("Invalid experiment ID '" + id + "'");
  }

  @Test
  void acceptsWellFormedIds() {
    assertThatCode(() -> Validation.runId("0123abcdef")).doesNotThrowAnyException();
    assertThatCode(() -> Validation.experimentId("0")).doesNotThrowAnyException();
    assertThatCode(() -> Validation.experimentId("8123456789012345678")).doesNotThrowAnyException();
  }

  @Test
  void latestMetricOrderIsStepThenTimestampThenValue() {
    Metric a = new Metric("m", 5, 100, 1);
    Metric b = new Metric("m", 1, 50, 2);
    Metric c = new Metric("m", 2, 50, 2);
    Metric nan = new Metric("m", Double.NaN, 50, 2);
    assertThat(Metric.compareLatest(a, b)).isNegative();
    assertThat(Metric.compareLatest(b, c)).isNegative();
    assertThat(Metric.compareLatest(c, nan)).isNegative();
  }
}
