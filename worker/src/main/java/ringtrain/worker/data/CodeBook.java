package ringtrain.worker.data;

import java.util.Arrays;

/**
 * The distinct feature values of one shard, at most 256, each with a one-byte code: what lets an
 * 8-bit image (raw, or scaled by 1/255) or a binary or categorical feature live in a quarter of its
 * float32 size. Values are told apart by their exact bits ({@code -0.0} and {@code 0.0} are two
 * values, each NaN payload its own), so decoding gives back the very floats that were put.
 *
 * <p>Written by one thread while a shard is filled; read by any thread afterwards.
 */
final class CodeBook {
  /** Distinct values one byte can name. */
  static final int CAPACITY = 256;

  /** Open addressing, at most a quarter full. */
  private static final int SLOTS = 4 * CAPACITY;

  private final float[] values = new float[CAPACITY];
  private final int[] keys = new int[SLOTS];
  private final short[] codes = new short[SLOTS];
  private int size;

  CodeBook() {
    Arrays.fill(codes, (short) -1);
  }

  /**
   * Writes the code of each of the first {@code n} values of {@code x} into {@code out}, adding the
   * values not seen yet.
   *
   * @return false when a value is new and the book already holds {@link #CAPACITY} values; {@code
   *     out} is then incomplete
   */
  boolean encode(float[] x, int n, byte[] out) {
    int lastBits = 0;
    int lastCode = -1;
    for (int i = 0; i < n; i++) {
      int bits = Float.floatToRawIntBits(x[i]);
      if (bits != lastBits || lastCode < 0) {
        lastCode = codeOf(bits, x[i]);
        if (lastCode < 0) {
          return false;
        }
        lastBits = bits;
      }
      out[i] = (byte) lastCode;
    }
    return true;
  }

  /** The value of each code; index with {@code code & 0xff}. */
  float[] values() {
    return values;
  }

  /** Distinct values so far. */
  int size() {
    return size;
  }

  private int codeOf(int bits, float value) {
    int slot = (bits * 0x9E3779B9) >>> 22; // the top 10 bits of a Fibonacci hash: [0, SLOTS)
    while (codes[slot] >= 0) {
      if (keys[slot] == bits) {
        return codes[slot];
      }
      slot = (slot + 1) & (SLOTS - 1);
    }
    if (size == CAPACITY) {
      return -1;
    }
    keys[slot] = bits;
    codes[slot] = (short) size;
    values[size] = value;
    return size++;
  }
}
