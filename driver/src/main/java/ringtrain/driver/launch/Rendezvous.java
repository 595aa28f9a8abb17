package ringtrain.driver.launch;

import java.util.List;
import ringtrain.common.error.ConfigException;

/**
 * What each rank publishes with {@code BarrierTaskContext.allGather} before the first step: where
 * it listens, and the facts every rank must agree on before they train together.
 *
 * @param rank the rank (= barrier task partition)
 * @param host the executor's host
 * @param endpoint {@code host:port} of the rank's Aeron subscription
 * @param configHash {@code JobConfig.configHash()} as the rank parsed it
 * @param jobToken the run's random token (frames of other jobs are dropped)
 * @param attempt the stage attempt the rank runs in
 * @param resumeStep the snapshot step the rank will resume from, or -1 for a fresh start
 */
record Rendezvous(
    int rank,
    String host,
    String endpoint,
    String configHash,
    long jobToken,
    int attempt,
    long resumeStep) {
  private static final String SEP = "\t";

  String encode() {
    return String.join(
        SEP,
        Integer.toString(rank),
        host,
        endpoint,
        configHash,
        Long.toString(jobToken),
        Integer.toString(attempt),
        Long.toString(resumeStep));
  }

  static Rendezvous decode(String message) {
    String[] f = message.split(SEP, -1);
    if (f.length != 7) {
      throw new IllegalStateException("malformed rendezvous message: " + message);
    }
    return new Rendezvous(
        Integer.parseInt(f[0]),
        f[1],
        f[2],
        f[3],
        Long.parseLong(f[4]),
        Integer.parseInt(f[5]),
        Long.parseLong(f[6]));
  }

  /**
   * Refuses to train unless every rank reports the same config hash, job token, stage attempt and
   * resume step as {@code self}, and the ranks are exactly 0..N-1 in order.
   */
  static void checkAgreement(Rendezvous self, List<Rendezvous> all) {
    for (int i = 0; i < all.size(); i++) {
      Rendezvous other = all.get(i);
      String where = "rank " + other.rank + " (host " + other.host + ")";
      if (other.rank != i) {
        throw new IllegalStateException(
            "rendezvous: message " + i + " came from rank " + other.rank);
      }
      if (!other.configHash.equals(self.configHash)) {
        throw new ConfigException(
            where
                + " parsed another config (hash "
                + other.configHash
                + " vs "
                + self.configHash
                + "); executors must run the same ringtrain version as the driver");
      }
      if (other.jobToken != self.jobToken || other.attempt != self.attempt) {
        throw new IllegalStateException(
            where
                + " belongs to job "
                + Long.toHexString(other.jobToken)
                + " attempt "
                + other.attempt
                + ", this rank to job "
                + Long.toHexString(self.jobToken)
                + " attempt "
                + self.attempt);
      }
      if (other.resumeStep != self.resumeStep) {
        throw new ConfigException(
            where
                + " would resume from step "
                + other.resumeStep
                + ", rank "
                + self.rank
                + " from step "
                + self.resumeStep
                + "; every rank must see the same snapshot.dir (a shared file system)");
      }
    }
  }

  /**
   * comm.aeron.transport = ipc shares one media driver per host: every rank must run on the same
   * host, which only the rendezvous can tell (the executors' hosts are known once they run).
   */
  static void checkOneHost(List<Rendezvous> all) {
    for (Rendezvous other : all) {
      if (!other.host.equals(all.get(0).host)) {
        throw new ConfigException(
            "comm.aeron.transport = ipc needs every rank on one host, but rank "
                + other.rank
                + " runs on "
                + other.host
                + " and rank 0 on "
                + all.get(0).host
                + "; use comm.aeron.transport = udp across hosts");
      }
    }
  }
}
