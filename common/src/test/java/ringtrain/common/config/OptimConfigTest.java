package ringtrain.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import ringtrain.common.error.ConfigException;

class OptimConfigTest {

  static ConfigReader reference(Map<String, ?> overrides) {
    return new ConfigReader(
        ConfigFactory.parseMap(overrides)
            .withFallback(ConfigFactory.parseFile(new File("../conf/reference.conf")))
            .resolve());
  }

  @Test
  void shouldReadReferenceDefaults() {
    OptimConfig cfg = OptimConfig.from(reference(Map.of()));
    assertThat(cfg)
        .isEqualTo(
            new OptimConfig(
                OptimConfig.Algorithm.ADAMW,
                0.001,
                128,
                OptimConfig.Scaling.LINEAR,
                4,
                0.9,
                0.999,
                1e-8,
                0.01,
                0.9,
                false,
                0.99,
                0.001,
                1.0,
                0));
    assertThat(cfg.name()).hasToString("adamw");
  }

  @Test
  void shouldReadEveryAlgorithmAndScalingByItsConfigName() {
    for (OptimConfig.Algorithm a : OptimConfig.Algorithm.values()) {
      assertThat(OptimConfig.from(reference(Map.of("optim.name", a.toString()))).name())
          .isEqualTo(a);
    }
    assertThat(OptimConfig.from(reference(Map.of("optim.scaling", "SQRT"))).scaling())
        .isEqualTo(OptimConfig.Scaling.SQRT);
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({
    "optim.lr, -0.1",
    "optim.base_batch, 0",
    "optim.warmup_required_above, -1",
    "optim.beta1, 1.0",
    "optim.beta1, -0.1",
    "optim.beta2, 1.5",
    "optim.eps, 0",
    "optim.eps, -1e-8",
    "optim.weight_decay, -0.01",
    "optim.momentum, 1",
    "optim.alpha, 1",
    "optim.alpha, -0.5",
    "optim.trust_coefficient, 0",
    "optim.clip_norm, -1",
    "optim.clip_value, -0.5",
    "optim.name, adamax",
    "optim.scaling, cubic",
    "optim.lr, fast",
  })
  void shouldRejectBadHyperparameterNamingItsKey(String key, String value) {
    assertThatThrownBy(() -> OptimConfig.from(reference(Map.of(key, value))))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(key)
        .hasMessageNotContaining("\n");
  }

  @Test
  void shouldRejectNesterovWithoutMomentum() {
    assertThatThrownBy(
            () ->
                OptimConfig.from(
                    reference(
                        Map.of(
                            "optim.name",
                            "momentum",
                            "optim.nesterov",
                            true,
                            "optim.momentum",
                            0))))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("optim.nesterov");
  }
}
