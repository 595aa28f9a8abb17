package ringtrain.worker.comm;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Moves FP32 elements of the local vector to and from a frame payload in one {@link WireDtype},
 * accumulating in FP32. Element e of the local vector lives at byte {@code 4·e}.
 *
 * <p>The per-element loops address memory directly: the engine has already checked every range
 * against the frame and the vector, and per-access bounds checks cost half of the bf16/fp16
 * throughput.
 */
final class WireCodec {
  private static final long INT_BASE = UnsafeApi.arrayBaseOffset(int[].class);
  private static final long SHORT_BASE = UnsafeApi.arrayBaseOffset(short[].class);
  private static final long FLOAT_BASE = UnsafeApi.arrayBaseOffset(float[].class);

  private final WireDtype dtype;
  // Sums and bf16 go through heap arrays: C2 vectorizes array loops, not raw-address ones.
  private int[] intScratch = new int[0];
  private short[] shortScratch = new short[0];
  private float[] floatScratch = new float[0];
  private float[] wireFloatScratch = new float[0];

  WireCodec(WireDtype dtype) {
    this.dtype = dtype;
  }

  WireDtype dtype() {
    return dtype;
  }

  /** Writes {@code count} elements from {@code first}, rounded to the wire type, to {@code out}. */
  void encode(UnsafeBuffer local, long first, int count, MutableDirectBuffer out, int outOffset) {
    int src = (int) (first * Float.BYTES);
    if (dtype == WireDtype.FP32) {
      out.putBytes(outOffset, local, src, count * Float.BYTES);
      return;
    }
    checkRange(local, src, count * Float.BYTES);
    checkRange(out, outOffset, count * 2);
    byte[] inArray = local.byteArray();
    long in = local.addressOffset() + src;
    byte[] outArray = out.byteArray();
    long to = out.addressOffset() + outOffset;
    if (dtype == WireDtype.BF16) {
      for (int i = 0; i < count; i++) {
        float v = UnsafeApi.getFloat(inArray, in + 4L * i);
        UnsafeApi.putShort(outArray, to + 2L * i, WireDtype.floatToBf16(v));
      }
    } else {
      for (int i = 0; i < count; i++) {
        float v = UnsafeApi.getFloat(inArray, in + 4L * i);
        UnsafeApi.putShort(outArray, to + 2L * i, WireDtype.floatToHalf(v));
      }
    }
  }

  /** local[e] = wire value + local[e], in FP32. */
  void addInto(DirectBuffer in, int inOffset, UnsafeBuffer local, long first, int count) {
    int dst = (int) (first * Float.BYTES);
    checkRange(local, dst, count * Float.BYTES);
    checkRange(in, inOffset, count * dtype.bytes());
    byte[] inArray = in.byteArray();
    long from = in.addressOffset() + inOffset;
    byte[] localArray = local.byteArray();
    long at = local.addressOffset() + dst;
    switch (dtype) {
      case FP32 -> {
        float[] wire = wireFloats(count);
        float[] acc = floats(count);
        UnsafeApi.copyMemory(inArray, from, wire, FLOAT_BASE, 4L * count);
        UnsafeApi.copyMemory(localArray, at, acc, FLOAT_BASE, 4L * count);
        for (int i = 0; i < count; i++) {
          acc[i] = wire[i] + acc[i];
        }
        UnsafeApi.copyMemory(acc, FLOAT_BASE, localArray, at, 4L * count);
      }
      case BF16 -> {
        short[] wire = shorts(count);
        float[] acc = floats(count);
        UnsafeApi.copyMemory(inArray, from, wire, SHORT_BASE, 2L * count);
        UnsafeApi.copyMemory(localArray, at, acc, FLOAT_BASE, 4L * count);
        for (int i = 0; i < count; i++) {
          acc[i] = Float.intBitsToFloat(wire[i] << 16) + acc[i];
        }
        UnsafeApi.copyMemory(acc, FLOAT_BASE, localArray, at, 4L * count);
      }
      case FP16 -> {
        for (int i = 0; i < count; i++) {
          long a = at + 4L * i;
          float v = WireDtype.halfToFloat(UnsafeApi.getShort(inArray, from + 2L * i));
          UnsafeApi.putFloat(localArray, a, v + UnsafeApi.getFloat(localArray, a));
        }
      }
    }
  }

  /** local[e] = wire value. */
  void decode(DirectBuffer in, int inOffset, UnsafeBuffer local, long first, int count) {
    int dst = (int) (first * Float.BYTES);
    if (dtype == WireDtype.FP32) {
      local.putBytes(dst, in, inOffset, count * Float.BYTES);
      return;
    }
    checkRange(local, dst, count * Float.BYTES);
    checkRange(in, inOffset, count * 2);
    byte[] inArray = in.byteArray();
    long from = in.addressOffset() + inOffset;
    byte[] localArray = local.byteArray();
    long at = local.addressOffset() + dst;
    boolean bf16 = dtype == WireDtype.BF16;
    if (bf16) {
      short[] wire = shorts(count);
      int[] bits = ints(count);
      UnsafeApi.copyMemory(inArray, from, wire, SHORT_BASE, 2L * count);
      for (int i = 0; i < count; i++) {
        bits[i] = wire[i] << 16;
      }
      UnsafeApi.copyMemory(bits, INT_BASE, localArray, at, 4L * count);
      return;
    }
    for (int i = 0; i < count; i++) {
      short h = UnsafeApi.getShort(inArray, from + 2L * i);
      UnsafeApi.putFloat(
          localArray, at + 4L * i, bf16 ? WireDtype.bf16ToFloat(h) : WireDtype.halfToFloat(h));
    }
  }

  /** The owner's last touch of a reduced chunk: divide (average) and round to the wire grid. */
  void finish(UnsafeBuffer local, long first, int count, int divisor) {
    if (divisor == 1 && dtype == WireDtype.FP32) {
      return;
    }
    int dst = (int) (first * Float.BYTES);
    for (int i = 0; i < count; i++) {
      int at = dst + 4 * i;
      float acc = local.getFloat(at);
      if (divisor != 1) {
        acc = acc / divisor;
      }
      local.putFloat(at, dtype.round(acc));
    }
  }

  private int[] ints(int count) {
    if (intScratch.length < count) {
      intScratch = new int[count];
    }
    return intScratch;
  }

  private short[] shorts(int count) {
    if (shortScratch.length < count) {
      shortScratch = new short[count];
    }
    return shortScratch;
  }

  private float[] floats(int count) {
    if (floatScratch.length < count) {
      floatScratch = new float[count];
    }
    return floatScratch;
  }

  private float[] wireFloats(int count) {
    if (wireFloatScratch.length < count) {
      wireFloatScratch = new float[count];
    }
    return wireFloatScratch;
  }

  private static void checkRange(DirectBuffer buffer, int offset, int length) {
    if (offset < 0 || length < 0 || (long) offset + length > buffer.capacity()) {
      throw new IndexOutOfBoundsException(
          "range [" + offset + ", " + offset + length + ") outside " + buffer.capacity());
    }
  }
}
