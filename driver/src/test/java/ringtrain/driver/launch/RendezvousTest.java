package ringtrain.driver.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import ringtrain.common.error.ConfigException;

class RendezvousTest {
  private static Rendezvous rank(int r, String hash, long token, int attempt, long resume) {
    return new Rendezvous(r, "host" + r, "10.0.0." + r + ":4000" + r, hash, token, attempt, resume);
  }

  @Test
  void shouldRoundTripThroughTheAllGatherMessage() {
    Rendezvous r = rank(1, "abc", -7L, 2, 300);
    assertThat(Rendezvous.decode(r.encode())).isEqualTo(r);
  }

  @Test
  void shouldAgreeWhenEveryRankReportsTheSameJob() {
    List<Rendezvous> all = List.of(rank(0, "h", 5, 0, -1), rank(1, "h", 5, 0, -1));
    assertThatNoException().isThrownBy(() -> Rendezvous.checkAgreement(all.get(1), all));
  }

  @Test
  void shouldRefuseARankWithAnotherConfigHashNamingIt() {
    List<Rendezvous> all = List.of(rank(0, "h", 5, 0, -1), rank(1, "other", 5, 0, -1));
    assertThatThrownBy(() -> Rendezvous.checkAgreement(all.get(0), all))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("rank 1 (host host1) parsed another config");
  }

  @Test
  void shouldRefuseARankOfAnotherAttempt() {
    List<Rendezvous> all = List.of(rank(0, "h", 5, 0, -1), rank(1, "h", 5, 1, -1));
    assertThatThrownBy(() -> Rendezvous.checkAgreement(all.get(0), all))
        .hasMessageContaining("rank 1 (host host1) belongs to job 5 attempt 1");
  }

  @Test
  void shouldRefuseRanksThatWouldResumeFromDifferentSnapshots() {
    List<Rendezvous> all = List.of(rank(0, "h", 5, 1, 200), rank(1, "h", 5, 1, 100));
    assertThatThrownBy(() -> Rendezvous.checkAgreement(all.get(0), all))
        .hasMessageContaining("would resume from step 100, rank 0 from step 200");
  }

  @Test
  void shouldRefuseIpcAcrossHostsAsAUserError() {
    List<Rendezvous> all = List.of(rank(0, "h", 5, 1, -1), rank(1, "h", 5, 1, -1));
    assertThatThrownBy(() -> Rendezvous.checkOneHost(all))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("rank 1 runs on host1 and rank 0 on host0")
        .hasMessageContaining("comm.aeron.transport = udp");
    List<Rendezvous> oneHost =
        List.of(
            new Rendezvous(0, "h", "ipc:1@h", "x", 5, 0, -1),
            new Rendezvous(1, "h", "ipc:2@h", "x", 5, 0, -1));
    assertThatNoException().isThrownBy(() -> Rendezvous.checkOneHost(oneHost));
  }
}
