package ringtrain.worker.comm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Rings of separate rank JVMs: each with its own embedded media driver over UDP loopback, or
 * sharing one driver over aeron:ipc.
 */
class AeronRingProcessIT {

  private static void shouldAgreeWithReference(int n, String wire, String lengths, int count)
      throws Exception {
    shouldAgreeWithReference("udp", n, wire, lengths, count);
  }

  private static void shouldAgreeWithReference(
      String transport, int n, String wire, String lengths, int count) throws Exception {
    try (RankProcesses ranks = new RankProcesses(transport, n, 20_000, "reduce", wire, lengths)) {
      List<List<String>> results = new ArrayList<>();
      for (int r = 0; r < n; r++) {
        List<String> mine = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          String line = ranks.expect(r, "RESULT ", 240);
          String[] f = line.split(" ");
          assertThat(f[3]).as("wrong elements, rank %d: %s", r, line).isEqualTo("0");
          mine.add(line);
        }
        assertThat(ranks.expect(r, "DONE ", 60)).isEqualTo("DONE 0");
        results.add(mine);
      }
      for (List<String> rankResults : results) {
        assertThat(rankResults).as("identical on all ranks").isEqualTo(results.get(0));
      }
      for (Process p : ranks.processes) {
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
      }
    }
  }

  @Test
  void shouldReduceAcrossTwoThreeAndFourProcesses() throws Exception {
    for (int n = 2; n <= 4; n++) {
      shouldAgreeWithReference(n, "fp32,bf16,fp16", "1," + (n - 1) + ",1000003", 9);
    }
  }

  @Test
  void shouldReduceOverSharedMemoryBetweenProcessesOfOneHost() throws Exception {
    for (int n = 2; n <= 3; n++) {
      shouldAgreeWithReference("ipc", n, "fp32,bf16", "1," + (n - 1) + ",1000003", 6);
    }
    shouldAgreeWithReference("ipc", 2, "fp32", String.valueOf(64 << 20), 1);
  }

  @Test
  void shouldReduce64MiFloatsBetweenTwoProcesses() throws Exception {
    shouldAgreeWithReference(2, "fp32", String.valueOf(64 << 20), 1);
  }

  @Test
  void shouldFailSurvivorsWithinTheTimeoutWhenARankIsKilled() throws Exception {
    long timeoutMs = 3000;
    try (RankProcesses ranks = new RankProcesses(3, timeoutMs, "loop")) {
      for (int r = 0; r < 3; r++) {
        ranks.expect(r, "READY", 60);
      }
      long killedAt = System.nanoTime();
      ranks.processes.get(1).destroyForcibly();
      String rank2 = ranks.expect(2, "COMMFAIL ", 30);
      String rank0 = ranks.expect(0, "COMMFAIL ", 30);
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
      assertThat(elapsedMs).isLessThan(2 * timeoutMs + 2000);
      assertThat(rank2).contains("rank 1 (host 127.0.0.1:").contains("step ");
      assertThat(rank0).containsPattern("rank [12] \\(host 127\\.0\\.0\\.1:");
      for (int r : new int[] {0, 2}) {
        assertThat(ranks.processes.get(r).waitFor(timeoutMs * 3, TimeUnit.MILLISECONDS)).isTrue();
        assertThat(ranks.processes.get(r).exitValue()).isEqualTo(3);
      }
    }
  }

  @Test
  void shouldFailSurvivorsOverIpcWhenARankIsKilled() throws Exception {
    long timeoutMs = 3000;
    try (RankProcesses ranks = new RankProcesses("ipc", 3, timeoutMs, "loop")) {
      for (int r = 0; r < 3; r++) {
        ranks.expect(r, "READY", 60);
      }
      long killedAt = System.nanoTime();
      ranks.processes.get(1).destroyForcibly();
      // Whichever rank started the shared driver, the survivors fail: on silence within the
      // timeout, or, if the killed rank owned the driver, when the client's driver timeout
      // (at least 10 s) closes their publications.
      for (int r : new int[] {0, 2}) {
        String line = ranks.expect(r, "COMMFAIL ", 60);
        assertThat(line).containsPattern("rank [0-2]");
      }
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
      assertThat(elapsedMs).isLessThan(2 * timeoutMs + 12_000);
      for (int r : new int[] {0, 2}) {
        assertThat(ranks.processes.get(r).waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(ranks.processes.get(r).exitValue()).isEqualTo(3);
      }
    }
  }
}
