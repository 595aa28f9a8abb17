package ringtrain.worker.comm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import ringtrain.common.numeric.Dtype;

/**
 * Deterministic per-rank test vectors, computable element by element anywhere (rank processes and
 * the test itself) without storing N vectors, and the reference check against {@link RingOrder}
 * plus the exact (double) sum.
 */
final class TestVectors {
  private TestVectors() {}

  /** Element {@code index} of rank {@code rank}'s vector: magnitudes spread over 2^-8..2^8. */
  static float value(long seed, int rank, long index) {
    long z = seed + 0x9E3779B97F4A7C15L * (rank * 0x100000001B3L + index + 1);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z ^= z >>> 31;
    float unit = ((z >>> 40) / (float) (1 << 24)) * 2f - 1f;
    int exponent = (int) ((z >>> 8) & 15) - 8;
    return unit * (float) Math.scalb(1.0, exponent);
  }

  static FloatBuffer direct(long seed, int rank, int length) {
    FloatBuffer b =
        ByteBuffer.allocateDirect(length * Float.BYTES)
            .order(ByteOrder.nativeOrder())
            .asFloatBuffer();
    for (int i = 0; i < length; i++) {
      b.put(i, value(seed, rank, i));
    }
    return b;
  }

  /**
   * Relative bound of a low-precision ring: N−1 roundings of partial sums plus the final rounding,
   * each at most u = 2^-8 (bf16) or 2^-11 (fp16) of the value rounded, so |result − exact| ≤ (N +
   * 1)·u·Σ|x| (one extra u covers FP32 rounding), unless fp16 overflowed.
   */
  static double bound(Dtype wire, int n, double sumAbs) {
    double u =
        switch (wire) {
          case FP32 -> 0x1p-23;
          case BF16 -> 0x1p-8;
          case FP16 -> 0x1p-11;
        };
    return (n + 1) * u * sumAbs + 0x1p-30;
  }

  /**
   * Compares {@code result} with the fixed ring order (bitwise) and the exact sum (within {@link
   * #bound}); returns the number of wrong elements.
   */
  static long countWrong(FloatBuffer result, long seed, int n, ReduceOp op, Dtype wire) {
    int length = result.remaining();
    float[] values = new float[n];
    long wrong = 0;
    for (int c = 0; c < n; c++) {
      long end = RingOrder.chunkStart(length, n, c + 1);
      for (long i = RingOrder.chunkStart(length, n, c); i < end; i++) {
        double exact = 0;
        double sumAbs = 0;
        for (int r = 0; r < n; r++) {
          values[r] = value(seed, r, i);
          exact += values[r];
          sumAbs += Math.abs(values[r]);
        }
        float expected = RingOrder.reduce(values, c, op, wire);
        float got = result.get(result.position() + (int) i);
        double divisor = op == ReduceOp.AVERAGE ? n : 1;
        boolean ringOrder = Float.floatToRawIntBits(got) == Float.floatToRawIntBits(expected);
        boolean close = Math.abs(got - exact / divisor) <= bound(wire, n, sumAbs) / divisor;
        if (!ringOrder || !close) {
          wrong++;
        }
      }
    }
    return wrong;
  }

  /** A hash of the bits, to show that all ranks hold the same vector. */
  static long hash(FloatBuffer b) {
    long h = 1125899906842597L;
    for (int i = b.position(); i < b.limit(); i++) {
      h = 31 * h + Float.floatToRawIntBits(b.get(i));
    }
    return h;
  }
}
