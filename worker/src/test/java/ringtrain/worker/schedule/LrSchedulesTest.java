package ringtrain.worker.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static ringtrain.worker.optim.Golden.assertClose;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import ringtrain.common.config.ScheduleConfig;
import ringtrain.common.error.ConfigException;
import ringtrain.worker.optim.Golden;

/** Every schedule against the NumPy transcription (OneCycleLR as in torch.optim.lr_scheduler). */
class LrSchedulesTest {

  static List<JsonNode> cases() {
    return Golden.cases("schedules");
  }

  static ScheduleConfig schedule(Map<String, ?> overrides) {
    Map<String, Object> keys = new HashMap<>();
    overrides.forEach((k, v) -> keys.put("schedule." + k, v));
    return ScheduleConfig.from(Golden.config(keys));
  }

  static ScheduleConfig schedule(JsonNode c) {
    Map<String, Object> keys = new HashMap<>();
    c.fields()
        .forEachRemaining(
            e ->
                keys.put(
                    e.getKey(),
                    e.getValue().isTextual() ? e.getValue().asText() : e.getValue().asDouble()));
    return schedule(keys);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void shouldMatchGoldenLearningRates(JsonNode c) {
    LrSchedule schedule =
        LrSchedules.create(
            schedule(c.get("schedule")), c.get("peak").asDouble(), c.get("total").asLong());
    for (JsonNode point : c.get("lr")) {
      long step = point.get(0).asLong();
      assertClose(
          c.get("case").asText() + " step " + step, schedule.lr(step), point.get(1).asDouble());
    }
  }

  @Test
  void shouldReachPeakAtWarmupEndAndHalfwayAtCosineMidpoint() {
    LrSchedule s =
        LrSchedules.create(schedule(Map.of("name", "warmup_cosine", "warmup_steps", 10)), 1.0, 110);
    assertThat(s.lr(9)).isEqualTo(1.0);
    assertThat(s.lr(60)).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(s.lr(109)).isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-3));
  }

  @ParameterizedTest
  @EnumSource(ScheduleConfig.Name.class)
  void shouldStayFiniteAndNonNegativeOnDegenerateLengths(ScheduleConfig.Name name) {
    for (long total : new long[] {1, 2, 3, 10}) {
      for (long warmup : new long[] {0, 1, 10, 20}) {
        ScheduleConfig cfg =
            schedule(
                Map.of("name", name.toString(), "warmup_steps", warmup, "decay_fraction", 1.0));
        LrSchedule s = LrSchedules.create(cfg, 0.1, total);
        for (long step = 0; step < total + 5; step++) {
          assertThat(s.lr(step))
              .as("%s total %d warmup %d step %d", name, total, warmup, step)
              .isFinite()
              .isBetween(0.0, 0.1 + 1e-15);
        }
      }
    }
  }

  @Test
  void shouldRefuseFloorAbovePeak() {
    ScheduleConfig cfg = schedule(Map.of("name", "wsd", "min_lr", 0.5));
    assertThatThrownBy(() -> LrSchedules.create(cfg, 0.1, 100))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("schedule.min_lr");
  }

  @Test
  void shouldRejectNegativeStep() {
    LrSchedule s = LrSchedules.create(schedule(Map.of()), 0.1, 100);
    assertThatThrownBy(() -> s.lr(-1)).isInstanceOf(IllegalArgumentException.class);
  }
}
