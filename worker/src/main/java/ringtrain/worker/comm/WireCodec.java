package ringtrain.worker.comm;

import java.nio.ByteBuffer;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;
import ringtrain.common.numeric.Dtype;

/**
 * Moves FP32 elements of the local vector to and from a frame payload in one {@link Dtype},
 * accumulating in FP32. Element e of the local vector lives at byte {@code 4·e}.
 *
 * <p>Two paths give the same bits. With {@code jdk.incubator.vector} in the JVM (ringtrain's
 * launcher, tests and executors add it) and both buffers backed by a {@link ByteBuffer}, FP32 sums
 * and every bf16 loop run as {@link SimdWireKernels} (see {@link #SIMD_AVAILABLE}): one pass
 * between the term buffer and the vector. Otherwise, and for fp16, the loops stage through heap
 * arrays, which C2 vectorizes, and address memory directly: the engine has already checked every
 * range against the frame and the vector, and per-access bounds checks cost half of the bf16/fp16
 * throughput.
 */
final class WireCodec {
  private static final long INT_BASE = UnsafeApi.arrayBaseOffset(int[].class);
  private static final long SHORT_BASE = UnsafeApi.arrayBaseOffset(short[].class);
  private static final long FLOAT_BASE = UnsafeApi.arrayBaseOffset(float[].class);

  /**
   * True when this JVM resolves {@code jdk.incubator.vector} ({@code
   * --add-modules=jdk.incubator.vector}) and {@code -Dringtrain.comm.scalar=true} is not set.
   */
  static final boolean SIMD_AVAILABLE =
      ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
          && !Boolean.getBoolean("ringtrain.comm.scalar");

  private final Dtype dtype;
  private final boolean simd;
  // Sums and bf16 go through heap arrays: C2 vectorizes array loops, not raw-address ones.
  private int[] intScratch = new int[0];
  private short[] shortScratch = new short[0];
  private float[] floatScratch = new float[0];
  private float[] wireFloatScratch = new float[0];

  WireCodec(Dtype dtype) {
    this(dtype, SIMD_AVAILABLE);
  }

  /** {@code simd} false: the scalar path even where the Vector API is available (tests). */
  WireCodec(Dtype dtype, boolean simd) {
    this.dtype = dtype;
    this.simd = simd && dtype != Dtype.FP16;
  }

  Dtype dtype() {
    return dtype;
  }

  /** Writes {@code count} elements from {@code first}, rounded to the wire type, to {@code out}. */
  void encode(UnsafeBuffer local, long first, int count, MutableDirectBuffer out, int outOffset) {
    int src = (int) (first * Float.BYTES);
    if (dtype == Dtype.FP32) {
      out.putBytes(outOffset, local, src, count * Float.BYTES);
      return;
    }
    if (simd && local.byteBuffer() != null && out.byteBuffer() != null) {
      SimdWireKernels.encodeBf16(
          local.byteBuffer(),
          local.wrapAdjustment() + src,
          out.byteBuffer(),
          out.wrapAdjustment() + outOffset,
          count);
      return;
    }
    checkRange(local, src, count * Float.BYTES);
    checkRange(out, outOffset, count * 2);
    byte[] inArray = local.byteArray();
    long in = local.addressOffset() + src;
    byte[] outArray = out.byteArray();
    long to = out.addressOffset() + outOffset;
    short[] wire = shorts(count);
    if (dtype == Dtype.BF16) {
      int[] bits = ints(count);
      UnsafeApi.copyMemory(inArray, in, bits, INT_BASE, 4L * count);
      // Two passes: C2 vectorizes neither a right shift nor a conversion feeding a short store,
      // but it does the int arithmetic and the narrowing copy one at a time.
      for (int i = 0; i < count; i++) {
        bits[i] = Dtype.bf16Bits(bits[i]);
      }
      for (int i = 0; i < count; i++) {
        wire[i] = (short) bits[i];
      }
    } else {
      float[] values = floats(count);
      UnsafeApi.copyMemory(inArray, in, values, FLOAT_BASE, 4L * count);
      for (int i = 0; i < count; i++) {
        wire[i] = Dtype.floatToHalf(values[i]);
      }
    }
    UnsafeApi.copyMemory(wire, SHORT_BASE, outArray, to, 2L * count);
  }

  /** local[e] = wire value + local[e], in FP32. */
  void addInto(DirectBuffer in, int inOffset, UnsafeBuffer local, long first, int count) {
    reduce(in, inOffset, local, first, count, 0);
  }

  /**
   * The owner's last reduction of a chunk, in one pass: local[e] = (wire value + local[e]) /
   * divisor, rounded to the wire grid (what every rank then receives in the all-gather).
   */
  void addIntoAndFinish(
      DirectBuffer in, int inOffset, UnsafeBuffer local, long first, int count, int divisor) {
    reduce(in, inOffset, local, first, count, divisor);
  }

  /** local[e] = wire value. */
  void decode(DirectBuffer in, int inOffset, UnsafeBuffer local, long first, int count) {
    int dst = (int) (first * Float.BYTES);
    if (dtype == Dtype.FP32) {
      local.putBytes(dst, in, inOffset, count * Float.BYTES);
      return;
    }
    if (simd && local.byteBuffer() != null && in.byteBuffer() != null) {
      SimdWireKernels.decodeBf16(
          in.byteBuffer(),
          in.wrapAdjustment() + inOffset,
          local.byteBuffer(),
          local.wrapAdjustment() + dst,
          count);
      return;
    }
    checkRange(local, dst, count * Float.BYTES);
    float[] values = wireValues(in, inOffset, count);
    UnsafeApi.copyMemory(
        values, FLOAT_BASE, local.byteArray(), local.addressOffset() + dst, 4L * count);
  }

  /** Sums the wire values into local; with {@code divisor} > 0 also finishes (divide, round). */
  private void reduce(
      DirectBuffer in, int inOffset, UnsafeBuffer local, long first, int count, int divisor) {
    int dst = (int) (first * Float.BYTES);
    if (simd && local.byteBuffer() != null && in.byteBuffer() != null) {
      ByteBuffer from = in.byteBuffer();
      int fromAt = in.wrapAdjustment() + inOffset;
      ByteBuffer to = local.byteBuffer();
      int toAt = local.wrapAdjustment() + dst;
      if (dtype == Dtype.FP32) {
        SimdWireKernels.reduceFp32(from, fromAt, to, toAt, count, divisor);
      } else {
        SimdWireKernels.reduceBf16(from, fromAt, to, toAt, count, divisor);
      }
      return;
    }
    checkRange(local, dst, count * Float.BYTES);
    float[] values = wireValues(in, inOffset, count);
    byte[] localArray = local.byteArray();
    long at = local.addressOffset() + dst;
    float[] acc = floats(count);
    UnsafeApi.copyMemory(localArray, at, acc, FLOAT_BASE, 4L * count);
    for (int i = 0; i < count; i++) {
      acc[i] = values[i] + acc[i];
    }
    if (divisor > 0) {
      divideAndRound(acc, count, divisor);
    }
    UnsafeApi.copyMemory(acc, FLOAT_BASE, localArray, at, 4L * count);
  }

  /** acc[i] = round(acc[i] / divisor) to the wire grid, for the first {@code count} elements. */
  private void divideAndRound(float[] acc, int count, int divisor) {
    if (divisor != 1) {
      float d = divisor;
      for (int i = 0; i < count; i++) {
        acc[i] = acc[i] / d;
      }
    }
    switch (dtype) {
      case FP32 -> {}
      case BF16 -> {
        int[] bits = ints(count);
        UnsafeApi.copyMemory(acc, FLOAT_BASE, bits, INT_BASE, 4L * count);
        for (int i = 0; i < count; i++) {
          bits[i] = Dtype.bf16Bits(bits[i]) << 16;
        }
        UnsafeApi.copyMemory(bits, INT_BASE, acc, FLOAT_BASE, 4L * count);
      }
      case FP16 -> {
        for (int i = 0; i < count; i++) {
          acc[i] = Dtype.FP16.round(acc[i]);
        }
      }
    }
  }

  /** The {@code count} wire values at {@code in[inOffset]} as FP32, in a scratch array. */
  private float[] wireValues(DirectBuffer in, int inOffset, int count) {
    checkRange(in, inOffset, count * dtype.bytes());
    byte[] inArray = in.byteArray();
    long from = in.addressOffset() + inOffset;
    float[] values = wireFloats(count);
    switch (dtype) {
      case FP32 -> UnsafeApi.copyMemory(inArray, from, values, FLOAT_BASE, 4L * count);
      case BF16 -> {
        short[] wire = shorts(count);
        int[] bits = ints(count);
        UnsafeApi.copyMemory(inArray, from, wire, SHORT_BASE, 2L * count);
        for (int i = 0; i < count; i++) {
          bits[i] = wire[i] << 16;
        }
        UnsafeApi.copyMemory(bits, INT_BASE, values, FLOAT_BASE, 4L * count);
      }
      case FP16 -> {
        short[] wire = shorts(count);
        UnsafeApi.copyMemory(inArray, from, wire, SHORT_BASE, 2L * count);
        for (int i = 0; i < count; i++) {
          values[i] = Dtype.halfToFloat(wire[i]);
        }
      }
    }
    return values;
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
