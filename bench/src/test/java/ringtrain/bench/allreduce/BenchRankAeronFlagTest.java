package ringtrain.bench.allreduce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import ringtrain.common.config.CommConfig;
import ringtrain.common.config.key.CommKeys;
import ringtrain.common.error.ConfigException;

/** {@code --aeron k=v,...}: each short name sets its comm key, checked by that key's entry. */
class BenchRankAeronFlagTest {

  @Test
  void shouldSetEachNamedKeyAndLeaveTheOthersAtTheirDefaults() {
    CommConfig c =
        BenchRank.fromAeronFlag(
            "idle=sleep,threading=dedicated,term_kb=1024,mtu=8192,socket_kb=2048,"
                + "transport=ipc,bind_host=127.0.0.3,window_kb=256,linger_us=5000",
            CommKeys.TIMEOUT.is(Duration.ofSeconds(9)));
    assertThat(c.idle()).isEqualTo("sleep");
    assertThat(c.threading()).isEqualTo("dedicated");
    assertThat(c.termLength()).isEqualTo(1 << 20);
    assertThat(c.mtu()).isEqualTo(8192);
    assertThat(c.socketBufferBytes()).isEqualTo(2 << 20);
    assertThat(c.ipc()).isTrue();
    assertThat(c.bindHost()).isEqualTo("127.0.0.3");
    assertThat(c.windowBytes()).isEqualTo(256 << 10);
    assertThat(c.retransmitLingerNs()).isEqualTo(5_000_000L);
    assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(9));
    CommConfig defaults = CommConfig.defaults();
    assertThat(c.bucketMb()).isEqualTo(defaults.bucketMb());
    assertThat(c.overlap()).isEqualTo(defaults.overlap());
    assertThat(BenchRank.fromAeronFlag("-")).isEqualTo(defaults);
  }

  @Test
  void shouldRefuseAValueItsEntryRefuses() {
    assertThatThrownBy(() -> BenchRank.fromAeronFlag("term_kb=3000"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("comm.aeron.term_length_kb = 3000");
    assertThatThrownBy(() -> BenchRank.fromAeronFlag("idle=fast"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("comm.aeron.idle = \"fast\" is not supported");
    assertThatThrownBy(() -> BenchRank.fromAeronFlag("speed=9"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown --aeron key speed");
  }
}
