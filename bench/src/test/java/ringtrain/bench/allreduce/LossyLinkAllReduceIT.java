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
 * The ring all-reduce between three hosts of a network lab (separate network stacks, links shaped
 * to 1 Gbit/s) with 0, 1 and 5 % of the UDP datagrams arriving at every host dropped: every result
 * is bitwise the loss-free one and the reference reduction order, and every run ends well inside
 * its deadline. Skipped without root or without ip, tc and nft.
 */
@NetLabHosts(hosts = 3, rate = "1gbit")
class LossyLinkAllReduceIT {
  /** The ring's comm.timeout in the ranks: a stall fails the run instead of hanging it. */
  private static final int RING_TIMEOUT_S = 20;

  /** One run of {@link LabRank#CASES} takes a few seconds even at 5 % loss. */
  private static final int RUN_DEADLINE_S = 90;

  @Test
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void resultsAtOneAndFivePercentLossAreBitwiseTheLossFreeOnes(NetLab lab) throws Exception {
    lab.loss(0);
    List<String> clean = run(lab);
    for (double loss : new double[] {1, 5}) {
      lab.loss(loss);
      long droppedBefore = lab.dropped();
      List<String> lossy = run(lab);
      assertThat(lossy).as("SHA-256 of every result at %s %% loss", loss).isEqualTo(clean);
      assertThat(lab.dropped() - droppedBefore)
          .as("datagrams dropped at %s %% loss (else the run proves nothing)", loss)
          .isPositive();
    }
  }

  /** Runs every case on every rank; returns "rank case sha256" lines, checking #wrong = 0. */
  private static List<String> run(NetLab lab) throws Exception {
    List<String> results = new ArrayList<>();
    try (LabRanks ranks = new LabRanks(lab, RING_TIMEOUT_S)) {
      for (int r = 0; r < lab.addresses().size(); r++) {
        for (int c = 0; c < LabRank.CASES.size(); c++) {
          String[] f = ranks.expect(r, "RESULT ", RUN_DEADLINE_S).split(" ");
          assertThat(f[3])
              .as("elements of case %s on rank %d that differ from the reference", c, r)
              .isEqualTo("0");
          results.add(r + " " + f[1] + " " + f[2]);
        }
        ranks.expect(r, "DONE", RUN_DEADLINE_S);
      }
      assertThat(ranks.await(30)).containsOnly(0);
    }
    return results;
  }
}
