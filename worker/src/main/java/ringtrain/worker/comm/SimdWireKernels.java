package ringtrain.worker.comm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import ringtrain.common.numeric.Dtype;

/**
 * The FP32 and bf16 codec loops with the Vector API, one pass straight between the Aeron term
 * buffer and the local vector, in the CPU's widest vectors. Every lane does exactly the arithmetic
 * of {@link WireCodec}'s scalar path (the same additions, division and {@link Dtype#bf16Bits}), so
 * both paths give the same bits.
 *
 * <p>Loaded only when {@link WireCodec#SIMD_AVAILABLE}; byte indices are absolute indices into the
 * buffers.
 */
final class SimdWireKernels {
  private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Integer> INTS =
      VectorSpecies.of(int.class, FLOATS.vectorShape());
  private static final VectorSpecies<Short> SHORTS =
      VectorSpecies.of(short.class, VectorShape.forBitSize(FLOATS.vectorBitSize() / 2));
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();

  private SimdWireKernels() {}

  /** local[e] = (wire[e] + local[e]) for fp32 wire values; with divisor > 0 also / divisor. */
  static void reduceFp32(
      ByteBuffer in, int inAt, ByteBuffer local, int at, int count, int divisor) {
    float d = divisor;
    boolean divide = divisor > 1;
    int bound = FLOATS.loopBound(count);
    int step = FLOATS.length();
    int i = 0;
    for (; i < bound; i += step) {
      int b = 4 * i;
      FloatVector sum =
          FloatVector.fromByteBuffer(FLOATS, in, inAt + b, ORDER)
              .add(FloatVector.fromByteBuffer(FLOATS, local, at + b, ORDER));
      if (divide) {
        sum = sum.div(d);
      }
      sum.intoByteBuffer(local, at + b, ORDER);
    }
    for (; i < count; i++) {
      int b = 4 * i;
      float sum = in.getFloat(inAt + b) + local.getFloat(at + b);
      local.putFloat(at + b, divide ? sum / d : sum);
    }
  }

  /**
   * local[e] = (wire[e] + local[e]) for bf16 wire values; with divisor > 0 also / divisor and
   * rounded to the bf16 grid.
   */
  static void reduceBf16(
      ByteBuffer in, int inAt, ByteBuffer local, int at, int count, int divisor) {
    float d = divisor;
    boolean divide = divisor > 1;
    boolean round = divisor > 0;
    int bound = INTS.loopBound(count);
    int step = INTS.length();
    int i = 0;
    for (; i < bound; i += step) {
      FloatVector sum =
          widen(in, inAt + 2 * i).add(FloatVector.fromByteBuffer(FLOATS, local, at + 4 * i, ORDER));
      if (divide) {
        sum = sum.div(d);
      }
      if (round) {
        sum =
            bf16Bits(sum.reinterpretAsInts())
                .lanewise(VectorOperators.LSHL, 16)
                .reinterpretAsFloats();
      }
      sum.intoByteBuffer(local, at + 4 * i, ORDER);
    }
    for (; i < count; i++) {
      float sum = bf16(in.getShort(inAt + 2 * i)) + local.getFloat(at + 4 * i);
      if (divide) {
        sum = sum / d;
      }
      if (round) {
        sum = Float.intBitsToFloat(Dtype.bf16Bits(Float.floatToRawIntBits(sum)) << 16);
      }
      local.putFloat(at + 4 * i, sum);
    }
  }

  /** out[e] = local[e] rounded to bf16. */
  static void encodeBf16(ByteBuffer local, int at, ByteBuffer out, int outAt, int count) {
    int bound = INTS.loopBound(count);
    int step = INTS.length();
    int i = 0;
    for (; i < bound; i += step) {
      IntVector bits = IntVector.fromByteBuffer(INTS, local, at + 4 * i, ORDER);
      bf16Bits(bits)
          .convertShape(VectorOperators.I2S, SHORTS, 0)
          .intoByteBuffer(out, outAt + 2 * i, ORDER);
    }
    for (; i < count; i++) {
      out.putShort(outAt + 2 * i, (short) Dtype.bf16Bits(local.getInt(at + 4 * i)));
    }
  }

  /** local[e] = wire[e] for bf16 wire values. */
  static void decodeBf16(ByteBuffer in, int inAt, ByteBuffer local, int at, int count) {
    int bound = INTS.loopBound(count);
    int step = INTS.length();
    int i = 0;
    for (; i < bound; i += step) {
      widen(in, inAt + 2 * i).intoByteBuffer(local, at + 4 * i, ORDER);
    }
    for (; i < count; i++) {
      local.putFloat(at + 4 * i, bf16(in.getShort(inAt + 2 * i)));
    }
  }

  /** The bf16 values at {@code in[byteAt]} as one vector of FP32. */
  private static FloatVector widen(ByteBuffer in, int byteAt) {
    ShortVector wire = ShortVector.fromByteBuffer(SHORTS, in, byteAt, ORDER);
    return ((IntVector) wire.convertShape(VectorOperators.S2I, INTS, 0))
        .lanewise(VectorOperators.LSHL, 16)
        .reinterpretAsFloats();
  }

  /** {@link Dtype#bf16Bits} on every lane. */
  private static IntVector bf16Bits(IntVector bits) {
    IntVector high = bits.lanewise(VectorOperators.LSHR, 16);
    IntVector rounded = bits.add(0x7fff).add(high.and(1)).lanewise(VectorOperators.LSHR, 16);
    VectorMask<Integer> nan = bits.and(0x7fffffff).compare(VectorOperators.GT, 0x7f800000);
    return rounded.blend(high.or(0x0040), nan);
  }

  private static float bf16(short wire) {
    return Float.intBitsToFloat(wire << 16);
  }
}
