package ringtrain.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import ringtrain.common.error.ConfigException;

class ScheduleConfigTest {

  @Test
  void shouldReadReferenceDefaults() {
    ScheduleConfig cfg = ScheduleConfig.from(OptimConfigTest.reference(Map.of()));
    assertThat(cfg)
        .isEqualTo(
            new ScheduleConfig(
                ScheduleConfig.Name.WARMUP_COSINE, 100, 0, 1000, 0.5, 0.3, 25, 10000, 0.2));
    assertThat(cfg.name()).hasToString("warmup_cosine");
  }

  @Test
  void shouldReadEveryScheduleByItsConfigName() {
    for (ScheduleConfig.Name n : ScheduleConfig.Name.values()) {
      Map<String, String> key = Map.of("schedule.name", n.toString());
      assertThat(ScheduleConfig.from(OptimConfigTest.reference(key)).name()).isEqualTo(n);
    }
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({
    "schedule.name, linear",
    "schedule.warmup_steps, -1",
    "schedule.min_lr, -1e-5",
    "schedule.step_size, 0",
    "schedule.gamma, 0",
    "schedule.gamma, 1.5",
    "schedule.pct_start, 0",
    "schedule.pct_start, 1",
    "schedule.div_factor, 0",
    "schedule.final_div_factor, -10",
    "schedule.decay_fraction, 1.2",
    "schedule.decay_fraction, -0.1",
    "schedule.warmup_epochs, -1",
    "schedule.power, 0",
  })
  void shouldRejectBadValueNamingItsKey(String key, String value) {
    assertThatThrownBy(() -> ScheduleConfig.from(OptimConfigTest.reference(Map.of(key, value))))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(key)
        .hasMessageNotContaining("\n");
  }

  @Test
  void shouldZeroTheDefaultWarmupStepsWhenTheJobGivesEpochs() {
    com.typesafe.config.Config user =
        com.typesafe.config.ConfigFactory.parseMap(Map.of("schedule.warmup_epochs", 5));
    ScheduleConfig cfg =
        ScheduleConfig.from(
            new ConfigReader(
                ScheduleConfig.userWarmup(user)
                    .withFallback(OptimConfigTest.reference(Map.of()).config())));
    assertThat(cfg.warmupSteps()).isZero();
    assertThat(cfg.warmupSteps(32)).isEqualTo(160);
    com.typesafe.config.Config both =
        com.typesafe.config.ConfigFactory.parseMap(
            Map.of("schedule.warmup_epochs", 5, "schedule.warmup_steps", 10));
    assertThatThrownBy(
            () ->
                ScheduleConfig.from(
                    new ConfigReader(
                        ScheduleConfig.userWarmup(both)
                            .withFallback(OptimConfigTest.reference(Map.of()).config()))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("are both set");
  }
}
