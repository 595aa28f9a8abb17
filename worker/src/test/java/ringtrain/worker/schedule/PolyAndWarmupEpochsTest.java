package ringtrain.worker.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static ringtrain.worker.optim.Golden.assertClose;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import ringtrain.common.config.ScheduleConfig;
import ringtrain.common.error.ConfigException;
import ringtrain.worker.optim.Golden;

/**
 * schedule.name = poly and schedule.warmup_epochs against {@code large_batch_golden.py}, and the
 * refusal of a warmup longer than the run.
 */
class PolyAndWarmupEpochsTest {
  private static final String FILE = "large_batch_golden.json";

  static List<JsonNode> polyCases() {
    List<JsonNode> out = new ArrayList<>();
    Golden.json(FILE).get("schedules").forEach(out::add);
    return out;
  }

  static List<JsonNode> warmupCases() {
    List<JsonNode> out = new ArrayList<>();
    Golden.json(FILE).get("warmup_epochs").forEach(out::add);
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("polyCases")
  void shouldMatchGoldenPolyLearningRates(JsonNode c) {
    LrSchedule schedule =
        LrSchedules.create(
            LrSchedulesTest.schedule(c.get("schedule")),
            c.get("peak").asDouble(),
            c.get("total").asLong());
    for (JsonNode point : c.get("lr")) {
      long step = point.get(0).asLong();
      assertClose(
          c.get("case").asText() + " step " + step, schedule.lr(step), point.get(1).asDouble());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("warmupCases")
  void shouldDeriveWarmupStepsFromEpochs(JsonNode c) {
    ScheduleConfig cfg =
        LrSchedulesTest.schedule(
            Map.of("warmup_steps", 0, "warmup_epochs", c.get("warmup_epochs").asDouble()));
    long perEpoch = c.get("steps_per_epoch").asLong();
    assertThat(cfg.warmupSteps(perEpoch)).isEqualTo(c.get("warmup_steps").asLong());
  }

  @Test
  void shouldWarmUpOverTheDerivedStepsWhenGivenInEpochs() {
    ScheduleConfig cfg =
        LrSchedulesTest.schedule(
            Map.of("name", "poly", "warmup_steps", 0, "warmup_epochs", 2.5, "power", 1.0));
    // 3 steps per epoch: W = round(7.5) = 8, so step 7 reaches the peak and step 8 starts decaying.
    LrSchedule s = LrSchedules.create(cfg, 0.8, 48, 3);
    assertThat(s.lr(0)).isEqualTo(0.1);
    assertThat(s.lr(7)).isEqualTo(0.8);
    assertThat(s.lr(28)).isCloseTo(0.4, org.assertj.core.data.Offset.offset(1e-12));
    assertThatThrownBy(() -> LrSchedules.create(cfg, 0.8, 48))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldRefuseAWarmupLongerThanTheRunNamingTheKey() {
    ScheduleConfig steps = LrSchedulesTest.schedule(Map.of("warmup_steps", 101));
    assertThatThrownBy(() -> LrSchedules.checkWarmupFits(steps, 10, 100))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("schedule.warmup_steps = 101 is longer than the run (100 steps)")
        .hasMessageNotContaining("\n");
    LrSchedules.checkWarmupFits(LrSchedulesTest.schedule(Map.of("warmup_steps", 100)), 10, 100);

    ScheduleConfig epochs =
        LrSchedulesTest.schedule(Map.of("warmup_steps", 0, "warmup_epochs", 5.0));
    assertThatThrownBy(() -> LrSchedules.checkWarmupFits(epochs, 10, 40))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("schedule.warmup_epochs = 5.0 (50 steps) is longer than the run")
        .hasMessageNotContaining("\n");
    LrSchedules.checkWarmupFits(epochs, 10, 50);
    // one_cycle has no linear warmup to outlast the run.
    LrSchedules.checkWarmupFits(
        LrSchedulesTest.schedule(Map.of("name", "one_cycle", "warmup_steps", 500)), 10, 100);
  }

  @Test
  void shouldRefuseWarmupInStepsAndEpochsTogether() {
    assertThatThrownBy(
            () -> LrSchedulesTest.schedule(Map.of("warmup_steps", 10, "warmup_epochs", 1.0)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("schedule.warmup_epochs = 1 and schedule.warmup_steps = 10")
        .hasMessageNotContaining("\n");
  }

  @Test
  void shouldCountEpochWarmupAsWarmupForLinearScaling() {
    ScheduleConfig epochs =
        LrSchedulesTest.schedule(Map.of("warmup_steps", 0, "warmup_epochs", 1.0));
    LrScaling.checkWarmup(
        LrScalingTest.optim(Map.of("scaling", "linear", "base_batch", 128)), epochs, 8192);
  }
}
