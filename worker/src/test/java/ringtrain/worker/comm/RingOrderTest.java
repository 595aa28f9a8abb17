package ringtrain.worker.comm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import ringtrain.common.numeric.Dtype;

class RingOrderTest {

  // The three ranks' vectors of wire_golden.py.
  static final float[][] RANKS = {
    {1e8f, 1.0f, -3.0f, 0.1f, 7.0f},
    {1.0f, -1e8f, 2.5f, 0.2f, 1e-3f},
    {-1e8f, 1.0f, 1e8f, 0.3f, 65000.0f}
  };

  static float[] ring(ReduceOp op, Dtype wire) {
    int n = RANKS.length;
    int length = RANKS[0].length;
    float[] out = new float[length];
    for (int i = 0; i < length; i++) {
      float[] values = new float[n];
      for (int r = 0; r < n; r++) {
        values[r] = RANKS[r][i];
      }
      out[i] = RingOrder.reduce(values, RingOrder.chunkOf(length, n, i), op, wire);
    }
    return out;
  }

  @Test
  void shouldReduceInTheFixedRingOrderOfTheNumpyReference() throws IOException {
    int checked = 0;
    for (String[] row : DtypeTest.golden()) {
      if (!row[0].startsWith("fp") && !row[0].startsWith("bf")) {
        continue;
      }
      Dtype wire = Dtype.parse(row[0]);
      ReduceOp op = row[1].equals("sum") ? ReduceOp.SUM : ReduceOp.AVERAGE;
      float[] got = ring(op, wire);
      for (int i = 0; i < got.length; i++) {
        assertThat(Integer.toHexString(Float.floatToRawIntBits(got[i])))
            .as("%s %s element %d", wire, op, i)
            .isEqualTo(row[2 + i].replaceFirst("^0+(?=.)", ""));
      }
      checked++;
    }
    assertThat(checked).isEqualTo(6);
  }

  @Test
  void shouldCoverEveryElementOnceWithChunksOfAnyLength() {
    for (int n = 1; n <= 5; n++) {
      for (long length : new long[] {0, 1, n - 1, 7, 1000003}) {
        long covered = 0;
        for (int c = 0; c < n; c++) {
          assertThat(RingOrder.chunkStart(length, n, c)).isEqualTo(covered);
          covered += RingOrder.chunkLength(length, n, c);
        }
        assertThat(covered).isEqualTo(length);
        for (long i = 0; i < Math.min(length, 50); i++) {
          int c = RingOrder.chunkOf(length, n, i);
          assertThat(i)
              .isBetween(
                  RingOrder.chunkStart(length, n, c), RingOrder.chunkStart(length, n, c + 1) - 1);
        }
      }
    }
  }
}
