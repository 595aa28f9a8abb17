package ringtrain.bench.netlab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import ringtrain.common.error.UserException;

class NetLabSpecTest {
  @Test
  void parsesHostsRateAndOptionalLoss() {
    assertThat(NetLab.Spec.parse("2,1gbit")).isEqualTo(new NetLab.Spec(2, "1gbit", 0));
    assertThat(NetLab.Spec.parse("3,500mbit,1.5")).isEqualTo(new NetLab.Spec(3, "500mbit", 1.5));
    assertThat(NetLab.Spec.parse("4, 10gbit, 5%").lossPct()).isEqualTo(5);
  }

  @Test
  void ratesAreBytesPerSecond() {
    assertThat(NetLab.bytesPerSecond("1gbit")).isEqualTo(125_000_000L);
    assertThat(NetLab.bytesPerSecond("500mbit")).isEqualTo(62_500_000L);
    assertThat(NetLab.bytesPerSecond("100mbps")).isEqualTo(100_000_000L);
    assertThat(NetLab.bytesPerSecond("800kbit")).isEqualTo(100_000L);
  }

  @Test
  void badSpecsAreUserErrorsThatSayTheForm() {
    for (String bad :
        new String[] {"2", "x,1gbit", "0,1gbit", "2,fast", "2,1gbit,101", "2,1,1,1"}) {
      assertThatThrownBy(() -> NetLab.Spec.parse(bad))
          .as(bad)
          .isInstanceOf(UserException.class)
          .hasMessageContaining("HOSTS,RATE[,LOSS%]");
    }
  }
}
