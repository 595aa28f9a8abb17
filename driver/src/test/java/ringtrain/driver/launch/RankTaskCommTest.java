package ringtrain.driver.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import ringtrain.common.config.CommConfig;
import ringtrain.common.config.JobConfig;
import ringtrain.common.config.key.CommKeys;
import ringtrain.common.config.key.ConfigKeys;

/** {@code comm.aeron.bind_host = auto} on a rank: the executor's address, nothing else reset. */
class RankTaskCommTest {
  private static JobConfig job(String bindHost) {
    return JobConfig.from(
        ConfigKeys.defaultsWith(
            CommKeys.BIND_HOST.is(bindHost),
            CommKeys.OVERLAP.is(true),
            CommKeys.TIMEOUT.is(Duration.ofSeconds(7)),
            CommKeys.TRANSPORT.is("ipc"),
            CommKeys.WINDOW_KB.is(512)));
  }

  @Test
  void shouldBindToTheExecutorHostAndKeepEveryOtherCommSettingWhenBindHostIsAuto() {
    JobConfig job = job(RankTask.AUTO_HOST);
    CommConfig comm = RankTask.commOf(job, "10.1.2.3");
    assertThat(comm.bindHost()).isEqualTo("10.1.2.3");
    assertThat(comm.overlap()).isTrue();
    assertThat(comm.timeout()).isEqualTo(Duration.ofSeconds(7));
    assertThat(comm.ipc()).isTrue();
    assertThat(comm.windowBytes()).isEqualTo(512 * 1024);
    assertThat(comm).as("nothing but the host changed").isEqualTo(withHost(job.comm(), "10.1.2.3"));
  }

  @Test
  void shouldKeepAnExplicitBindHost() {
    JobConfig job = job("192.168.7.7");
    assertThat(RankTask.commOf(job, "10.1.2.3")).isSameAs(job.comm());
  }

  private static CommConfig withHost(CommConfig c, String host) {
    return new CommConfig(
        c.timeout(),
        c.bucketMb(),
        c.mtu(),
        c.socketBufferBytes(),
        c.termLength(),
        c.threading(),
        c.idle(),
        host,
        c.dir(),
        c.overlap(),
        c.transport(),
        c.windowBytes(),
        c.retransmitLingerNs());
  }
}
