package ringtrain.bench.allreduce;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import ringtrain.bench.netlab.NetLab;
import ringtrain.bench.netlab.NetLabHosts;

/**
 * Rings between three lab hosts at 5 % UDP loss, closed right after their last all-reduce, many
 * times over: a rank that leaves as soon as it has its own result must not strand a neighbour that
 * still waits for a lost datagram of it to be resent. Each round binds a new ring in every rank
 * process, runs a barrier and one all-reduce (checked bitwise against the reference order) and
 * closes it; a stranded neighbour would fail its all-reduce after comm.timeout. Skipped without
 * root or without ip, tc and nft.
 */
@NetLabHosts(hosts = 3, rate = "1gbit", loss = 5)
class RingCloseIT {
  private static final int RING_TIMEOUT_S = 5;
  private static final int ROUNDS = 15;

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void ranksThatCloseRightAfterTheirLastAllReduceNeverStrandANeighbour(NetLab lab)
      throws Exception {
    int world = lab.addresses().size();
    long droppedBefore = lab.dropped();
    List<Long> closeMillis = new ArrayList<>();
    try (LabRanks ranks =
        new LabRanks(lab, RING_TIMEOUT_S, List.of("rounds", String.valueOf(ROUNDS)))) {
      for (int round = 0; round < ROUNDS; round++) {
        for (int r = 0; r < world; r++) {
          String[] f = ranks.expect(r, "ROUND " + round + " ", 4L * RING_TIMEOUT_S).split(" ");
          assertThat(f[2]).as("wrong elements on rank %d in round %d", r, round).isEqualTo("0");
        }
        for (int r = 0; r < world; r++) {
          String[] f = ranks.expect(r, "CLOSED " + round + " ", 4L * RING_TIMEOUT_S).split(" ");
          closeMillis.add(Long.parseLong(f[2]));
        }
        if (round + 1 < ROUNDS) {
          ranks.rendezvous();
        }
      }
      assertThat(ranks.await(30)).containsOnly(0);
    }
    System.out.println("RingCloseIT: ms to close a ring, every rank and round: " + closeMillis);
    assertThat(lab.dropped() - droppedBefore)
        .as("datagrams dropped (else the test proves nothing)")
        .isPositive();
  }
}
