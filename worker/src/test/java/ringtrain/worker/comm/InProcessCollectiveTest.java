package ringtrain.worker.comm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import ringtrain.common.numeric.Dtype;

class InProcessCollectiveTest {

  interface RankBody {
    void run(Collective c) throws Exception;
  }

  static void runAll(List<Collective> group, RankBody body) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(group.size());
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (Collective c : group) {
        futures.add(
            pool.submit(
                () -> {
                  body.run(c);
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void shouldMatchTheNumpyRingGoldenOnEveryRank() throws Exception {
    for (Dtype wire : Dtype.values()) {
      List<Collective> group = InProcessCollective.group(3, Duration.ofSeconds(10));
      FloatBuffer[] buffers = new FloatBuffer[3];
      runAll(
          group,
          c -> {
            FloatBuffer b = FloatBuffer.wrap(RingOrderTest.RANKS[c.rank()].clone());
            buffers[c.rank()] = b;
            c.allReduce(b, ReduceOp.SUM, 1, wire);
          });
      float[] expected = RingOrderTest.ring(ReduceOp.SUM, wire);
      for (FloatBuffer b : buffers) {
        assertThat(b.array()).containsExactly(expected);
      }
    }
  }

  @Test
  void shouldBroadcastRootsVector() throws Exception {
    List<Collective> group = InProcessCollective.group(4, Duration.ofSeconds(10));
    IntFunction<float[]> init = r -> new float[] {r, r + 0.5f, -r};
    float[][] out = new float[4][];
    runAll(
        group,
        c -> {
          FloatBuffer b = FloatBuffer.wrap(init.apply(c.rank()));
          c.broadcast(b, 2, 0);
          c.barrier(0);
          out[c.rank()] = b.array();
        });
    for (float[] o : out) {
      assertThat(o).containsExactly(2f, 2.5f, -2f);
    }
  }

  @Test
  void shouldTimeoutNamingTheRankThatNeverArrives() {
    List<Collective> group = InProcessCollective.group(3, Duration.ofMillis(200));
    long start = System.nanoTime();
    assertThatThrownBy(() -> group.get(0).barrier(7))
        .isInstanceOf(CommException.class)
        .hasMessageContaining("[1, 2]")
        .hasMessageContaining("step 7");
    assertThat(System.nanoTime() - start).isLessThan(Duration.ofSeconds(5).toNanos());
  }

  @Test
  void shouldReduceStartedBucketsInTheOrderTheyWereStarted() throws Exception {
    List<Collective> group = InProcessCollective.group(2, Duration.ofSeconds(10));
    float[][][] out = new float[2][3][];
    runAll(
        group,
        c -> {
          List<FloatBuffer> buckets = new ArrayList<>();
          List<PendingReduce> pending = new ArrayList<>();
          for (int k = 0; k < 3; k++) {
            float[] v = new float[2 + k];
            java.util.Arrays.fill(v, (c.rank() + 1) * (k + 1));
            buckets.add(FloatBuffer.wrap(v));
            pending.add(c.startAllReduce(buckets.get(k), ReduceOp.SUM, 4));
          }
          for (int k = 0; k < 3; k++) {
            pending.get(k).await();
            assertThat(pending.get(k).endNanos())
                .isGreaterThanOrEqualTo(pending.get(k).startNanos());
            out[c.rank()][k] = buckets.get(k).array();
          }
        });
    for (float[][] rank : out) {
      for (int k = 0; k < 3; k++) {
        float[] expected = new float[2 + k];
        java.util.Arrays.fill(expected, 3f * (k + 1));
        assertThat(rank[k]).containsExactly(expected);
      }
    }
  }

  @Test
  void shouldReturnAtOnceFromAStartedBucketAndFailOnAwaitWhenARankNeverArrives() {
    // Returns without waiting for rank 1: with a minute's timeout, the bucket is still pending.
    List<Collective> patient = InProcessCollective.group(2, Duration.ofMinutes(1));
    PendingReduce waiting =
        patient.get(0).startAllReduce(FloatBuffer.wrap(new float[] {1f}), ReduceOp.SUM, 3);
    assertThat(waiting.isDone()).isFalse();
    patient.forEach(Collective::close);

    List<Collective> group = InProcessCollective.group(2, Duration.ofMillis(200));
    long start = System.nanoTime();
    PendingReduce pending =
        group.get(0).startAllReduce(FloatBuffer.wrap(new float[] {1f}), ReduceOp.SUM, 3);
    assertThatThrownBy(pending::await)
        .isInstanceOf(CommException.class)
        .hasMessageContaining("[1]")
        .hasMessageContaining("all-reduce of step 3");
    assertThat(System.nanoTime() - start).isLessThan(Duration.ofSeconds(5).toNanos());
  }
}
