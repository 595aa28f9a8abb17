package ringtrain.worker.comm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import ringtrain.common.numeric.Dtype;

/**
 * The two halves of the all-reduce, bit for bit against the whole one, on a ring of real media
 * drivers and on the in-process group, which must give the same bits.
 */
class ReduceScatterAllGatherTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final Dtype[] WIRES = {Dtype.FP32, Dtype.BF16};

  /** Lengths no world size of the test divides, one of them shorter than the world. */
  private static final int[] LENGTHS = {1, 17, 70_001};

  @Test
  void shouldReduceScatterAndAllGatherToTheAllReducesBitsOnTheRingAndInProcess() throws Exception {
    for (int n : new int[] {2, 3}) {
      Map<String, int[]> ring = new ConcurrentHashMap<>();
      AeronRingTest.inRing(
          n,
          TIMEOUT,
          r -> {
            runCases(r, ring);
            assertThat(r.counters().totalRejected()).isZero();
          });
      Map<String, int[]> inProcess = new ConcurrentHashMap<>();
      InProcessCollectiveTest.runAll(
          InProcessCollective.group(n, TIMEOUT), c -> runCases(c, inProcess));
      assertThat(inProcess.keySet()).isEqualTo(ring.keySet()).isNotEmpty();
      for (String key : ring.keySet()) {
        assertThat(inProcess.get(key))
            .as("n=%d %s in process vs ring", n, key)
            .isEqualTo(ring.get(key));
      }
      for (String key : ring.keySet()) {
        String rank0 = key.substring(0, key.lastIndexOf('/')) + "/0";
        assertThat(ring.get(key)).as("n=%d %s vs rank 0", n, key).isEqualTo(ring.get(rank0));
      }
    }
  }

  @Test
  void shouldOwnEveryElementExactlyOnce() {
    for (int n = 1; n <= 4; n++) {
      for (long length : new long[] {0, 1, 5, 17, 70_001}) {
        int[] owners = new int[(int) length];
        for (int r = 0; r < n; r++) {
          ChunkRange own = RingOrder.ownedRange(length, n, r);
          for (long i = own.start(); i < own.end(); i++) {
            owners[(int) i]++;
          }
        }
        assertThat(java.util.Arrays.stream(owners).boxed())
            .as("n=%d length %d: owners per element", n, length)
            .allMatch(owned -> owned == 1);
      }
    }
  }

  /**
   * On one rank: (a) reduceScatter's owned range equals allReduce's there, (b) allGather after it
   * equals allReduce everywhere; results of the whole and of a lone allGather go into {@code out}
   * for the comparison across implementations and ranks.
   */
  private static void runCases(Collective c, Map<String, int[]> out) {
    long step = 0;
    for (Dtype wire : WIRES) {
      for (int length : LENGTHS) {
        for (ReduceOp op : ReduceOp.values()) {
          String what = wire + " " + op + " length " + length;
          long seed = 31L * length + op.ordinal();
          FloatBuffer whole = TestVectors.direct(seed, c.rank(), length);
          c.allReduce(whole, op, step++, wire);
          assertThat(TestVectors.countWrong(whole, seed, c.worldSize(), op, wire))
              .as("%s: allReduce against the ring order and the exact sum", what)
              .isZero();
          FloatBuffer halves = TestVectors.direct(seed, c.rank(), length);
          c.reduceScatter(halves, op, step++, wire);
          ChunkRange own = c.ownedRange(length);
          assertThat(bits(halves, own))
              .as("%s: rank %d's owned range after reduceScatter", what, c.rank())
              .isEqualTo(bits(whole, own));
          c.allGather(halves, step++, wire);
          ChunkRange all = new ChunkRange(0, length);
          assertThat(bits(halves, all))
              .as("%s: rank %d after reduceScatter + allGather", what, c.rank())
              .isEqualTo(bits(whole, all));
          out.put(what + " all-reduce/" + c.rank(), bits(whole, all));
          // A lone all-gather of vectors off the wire grid: every rank must end with the same bits.
          FloatBuffer raw = TestVectors.direct(seed + 1, c.rank(), length);
          c.allGather(raw, step++, wire);
          out.put(what + " all-gather/" + c.rank(), bits(raw, all));
          // The same on a heap buffer that starts past its array's first element: ranges count
          // from position().
          FloatBuffer offset = heapAt(3, TestVectors.direct(seed, c.rank(), length));
          c.reduceScatter(offset, op, step++, wire);
          assertThat(bits(offset, own))
              .as("%s: heap reduceScatter", what)
              .isEqualTo(bits(whole, own));
          FloatBuffer wholeOffset = heapAt(3, TestVectors.direct(seed, c.rank(), length));
          c.allReduce(wholeOffset, op, step++, wire);
          assertThat(bits(wholeOffset, all))
              .as("%s: heap, offset", what)
              .isEqualTo(bits(whole, all));
          FloatBuffer rawOffset = heapAt(3, TestVectors.direct(seed + 1, c.rank(), length));
          c.allGather(rawOffset, step++, wire);
          assertThat(bits(rawOffset, all)).as("%s: heap allGather", what).isEqualTo(bits(raw, all));
        }
      }
    }
  }

  /** A copy of {@code values} in a heap buffer whose position is {@code offset}. */
  private static FloatBuffer heapAt(int offset, FloatBuffer values) {
    float[] array = new float[offset + values.remaining()];
    values.duplicate().get(array, offset, values.remaining());
    return FloatBuffer.wrap(array, offset, values.remaining());
  }

  private static int[] bits(FloatBuffer b, ChunkRange range) {
    int[] bits = new int[(int) range.length()];
    for (int i = 0; i < bits.length; i++) {
      bits[i] = Float.floatToRawIntBits(b.get(b.position() + (int) range.start() + i));
    }
    return bits;
  }
}
