package ringtrain.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import ringtrain.common.error.ConfigException;

class CommConfigTest {
  private static ConfigReader reference(String overrides) {
    return new ConfigReader(
        ConfigFactory.parseString(overrides)
            .withFallback(ConfigFactory.parseFile(Path.of("../conf/reference.conf").toFile()))
            .resolve());
  }

  @Test
  void shouldMatchTheDefaultsOfReferenceConf() {
    assertThat(CommConfig.from(reference(""))).isEqualTo(CommConfig.defaults());
  }

  @Test
  void shouldRejectAnMtuAeronCannotUse() {
    assertThatThrownBy(() -> CommConfig.from(reference("comm.aeron.mtu = 70000")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("comm.aeron.mtu = 70000");
  }

  @Test
  void shouldRejectATermLengthThatIsNotAPowerOfTwo() {
    assertThatThrownBy(() -> CommConfig.from(reference("comm.aeron.term_length_kb = 3000")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("comm.aeron.term_length_kb");
  }

  @Test
  void shouldRejectAnUnknownIdleStrategy() {
    assertThatThrownBy(() -> CommConfig.from(reference("comm.aeron.idle = nap")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("comm.aeron.idle");
  }

  @Test
  void theReceiverWindowIsHalfTheSocketBufferUnlessSetAndNeverMoreThanHalfATerm() {
    assertThat(CommConfig.from(reference("")).effectiveWindowBytes()).isEqualTo(2 << 20);
    assertThat(CommConfig.from(reference("comm.aeron.window_kb = 1024")).effectiveWindowBytes())
        .isEqualTo(1 << 20);
    assertThatThrownBy(() -> CommConfig.from(reference("comm.aeron.window_kb = 32")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("comm.aeron.window_kb = 32");
    assertThatThrownBy(() -> CommConfig.from(reference("comm.aeron.window_kb = 16384")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("half of term_length_kb");
    assertThatThrownBy(() -> CommConfig.from(reference("comm.aeron.window_kb = 3000000")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("comm.aeron.window_kb = 3000000 is invalid");
  }

  @Test
  void shouldRejectARetransmitLingerOutsideOneMicrosecondToOneSecond() {
    assertThat(
            CommConfig.from(reference("comm.aeron.retransmit_linger_us = 3000"))
                .retransmitLingerNs())
        .isEqualTo(3_000_000L);
    assertThatThrownBy(() -> CommConfig.from(reference("comm.aeron.retransmit_linger_us = 0")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("comm.aeron.retransmit_linger_us");
    assertThatThrownBy(
            () -> CommConfig.from(reference("comm.aeron.retransmit_linger_us = 2000000")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("comm.aeron.retransmit_linger_us = 2000000");
  }
}
