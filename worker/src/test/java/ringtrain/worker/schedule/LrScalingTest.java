package ringtrain.worker.schedule;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static ringtrain.worker.optim.Golden.assertClose;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import ringtrain.common.config.OptimConfig;
import ringtrain.common.config.ScheduleConfig;
import ringtrain.common.error.ConfigException;
import ringtrain.worker.optim.Golden;

/** Peak LR scaling rules and the warmup requirement of linear scaling. */
class LrScalingTest {

  static List<JsonNode> cases() {
    return Golden.cases("scaling");
  }

  static OptimConfig optim(Map<String, ?> overrides) {
    Map<String, Object> keys = new HashMap<>();
    overrides.forEach((k, v) -> keys.put("optim." + k, v));
    return OptimConfig.from(Golden.config(keys));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void shouldScalePeakLikeGolden(JsonNode c) {
    OptimConfig cfg =
        optim(
            Map.of(
                "lr", c.get("lr").asDouble(),
                "base_batch", c.get("base_batch").asLong(),
                "scaling", c.get("scaling").asText()));
    assertClose(
        c.toString(),
        LrScaling.scaledPeak(cfg, c.get("global_batch").asLong()),
        c.get("peak").asDouble());
  }

  @Test
  void shouldRequireWarmupForLargeLinearlyScaledBatch() {
    OptimConfig linear = optim(Map.of("scaling", "linear", "base_batch", 128));
    ScheduleConfig noWarmup = LrSchedulesTest.schedule(Map.of("warmup_steps", 0));
    assertThatThrownBy(() -> LrScaling.checkWarmup(linear, noWarmup, 128 * 8))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("schedule.warmup_steps")
        .hasMessageContaining("1024/128 = 8")
        .hasMessageContaining("optim.warmup_required_above = 4");
  }

  @Test
  void shouldAcceptLargeBatchWithWarmupOneCycleOrOtherScaling() {
    OptimConfig linear = optim(Map.of("scaling", "linear"));
    ScheduleConfig noWarmup = LrSchedulesTest.schedule(Map.of("warmup_steps", 0));
    assertThatCode(() -> LrScaling.checkWarmup(linear, noWarmup, 128 * 4))
        .doesNotThrowAnyException();
    assertThatCode(
            () ->
                LrScaling.checkWarmup(
                    linear, LrSchedulesTest.schedule(Map.of("warmup_steps", 5)), 8192))
        .doesNotThrowAnyException();
    assertThatCode(
            () ->
                LrScaling.checkWarmup(
                    linear,
                    LrSchedulesTest.schedule(Map.of("warmup_steps", 0, "name", "one_cycle")),
                    8192))
        .doesNotThrowAnyException();
    assertThatCode(() -> LrScaling.checkWarmup(optim(Map.of("scaling", "sqrt")), noWarmup, 8192))
        .doesNotThrowAnyException();
  }
}
