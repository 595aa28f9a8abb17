package ringtrain.bench.allreduce;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import ringtrain.bench.netlab.NetLab;
import ringtrain.bench.netlab.NetLabHosts;

/**
 * A lab host's link taken down ({@code ip link set ... down}) in the middle of a stream of
 * all-reduces: the ranks fail within comm.timeout with an error that names the silent rank, its
 * host and the step, instead of hanging. Skipped without root or without ip, tc and nft.
 */
@NetLabHosts(hosts = 3, rate = "1gbit")
class LinkDownIT {
  private static final int RING_TIMEOUT_S = 5;

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void aLinkDownMidAllReduceFailsWithinTheTimeoutNamingRankHostAndStep(NetLab lab)
      throws Exception {
    try (LabRanks ranks = new LabRanks(lab, RING_TIMEOUT_S, List.of("loop"))) {
      for (int r = 0; r < 3; r++) {
        ranks.expect(r, "STEP 3", 60);
      }
      lab.link(2, false);
      String host2 = lab.addresses().get(2);
      // Rank 0 receives from rank 2 (its left neighbour) and hears nothing more.
      String[] failed = ranks.expect(0, "FAILED ", 4L * RING_TIMEOUT_S).split(" ", 3);
      assertThat(Long.parseLong(failed[1]))
          .as("ms from the start of the failing all-reduce to its error")
          .isLessThan(3_000L * RING_TIMEOUT_S);
      assertThat(failed[2]).contains("rank 2 (host " + host2).contains("step ");
      // The others fail too (each names whichever neighbour went silent for it): none hangs.
      for (int r = 1; r < 3; r++) {
        assertThat(ranks.expect(r, "FAILED ", 4L * RING_TIMEOUT_S)).contains("step ");
      }
    } finally {
      lab.link(2, true);
    }
  }
}
