package ringtrain.driver.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import ringtrain.worker.comm.Collective;
import ringtrain.worker.comm.InProcessCollective;
import ringtrain.worker.comm.ReduceOp;

class LocalLauncherTest {
  /** Longer than the test may take: a rank that waits for it has not been released. */
  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  @Test
  void shouldThrowTheErrorOfTheFirstRankToFailNotTheWaitOfRankZero() {
    List<Collective> group = InProcessCollective.group(3, TIMEOUT);
    long start = System.nanoTime();
    Throwable t =
        catchThrowable(
            () ->
                LocalLauncher.onRanks(
                    group,
                    comm -> {
                      if (comm.rank() == 2) {
                        throw new IllegalArgumentException("rank 2 cannot read its data");
                      }
                      // Ranks 0 and 1 wait for rank 2, which never comes.
                      comm.allReduce(FloatBuffer.allocate(4), ReduceOp.SUM, 0);
                      return comm.rank();
                    }));
    assertThat(t)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rank 2 cannot read its data");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT);
  }

  @Test
  void shouldReturnRankZerosValueWhenEveryRankEnds() {
    List<Collective> group = InProcessCollective.group(3, TIMEOUT);
    int value =
        LocalLauncher.onRanks(
            group,
            comm -> {
              FloatBuffer b = FloatBuffer.allocate(1).put(0, comm.rank() + 1);
              comm.allReduce(b, ReduceOp.SUM, 0);
              return (int) b.get(0) * 10 + comm.rank();
            });
    assertThat(value).isEqualTo(60);
  }
}
