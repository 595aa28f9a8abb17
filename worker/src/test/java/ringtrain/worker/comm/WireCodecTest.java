package ringtrain.worker.comm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import ringtrain.common.numeric.Dtype;

/**
 * The codec's SIMD kernels against its scalar path, bit for bit, on every operation the ring uses:
 * counts that are not a multiple of the vector length, unaligned offsets, buffers that are slices
 * of larger ones, and the values where rounding can go wrong (ties, NaN, infinities, overflow).
 */
class WireCodecTest {
  private static final int[] COUNTS = {1, 3, 7, 8, 9, 15, 16, 17, 1000, 16371};
  private static final int[] SPECIAL = {
    0x7fc00000,
    0x7f800001,
    0xffbfffff,
    0x7f800000,
    0xff800000,
    0x7f7fffff,
    0x7f7f8000,
    0x3f808000,
    0x3f818000,
    0x3f80ffff,
    0x00008000,
    0x80000000,
    0x00000001,
    0
  };

  @Test
  void shouldRunWithTheVectorApiUnderThisBuild() {
    // The build adds --add-modules=jdk.incubator.vector to every JVM it starts; without it the
    // comparisons below would compare the scalar path with itself.
    assertThat(WireCodec.SIMD_AVAILABLE).isTrue();
    ByteBuffer base = ByteBuffer.allocateDirect(64).order(ByteOrder.nativeOrder());
    base.putFloat(8, 2.5f);
    ByteBuffer view = DirectBytes.view(new UnsafeBuffer(base).addressOffset() + 8, 16);
    assertThat(view).isNotNull();
    assertThat(view.capacity()).isEqualTo(16);
    assertThat(view.getFloat(0)).isEqualTo(2.5f);
    view.putFloat(4, -1f);
    assertThat(base.getFloat(12)).isEqualTo(-1f);
  }

  @ParameterizedTest
  @EnumSource(
      value = Dtype.class,
      names = {"FP32", "BF16"})
  void shouldEncodeDecodeAndReduceLikeTheScalarPathBitForBit(Dtype dtype) {
    WireCodec simd = new WireCodec(dtype, true);
    WireCodec scalar = new WireCodec(dtype, false);
    SplittableRandom random = new SplittableRandom(dtype.ordinal() + 5);
    for (int count : COUNTS) {
      for (int divisor : new int[] {0, 1, 2, 3}) {
        long first = random.nextInt(5);
        int wireOffset = 2 * random.nextInt(1, 9);
        int[] localBits = randomBits(random, (int) first + count + 3);
        int[] wireSource = randomBits(random, (int) first + count + 3);

        // encode: the wire bytes of local[first, first + count)
        UnsafeBuffer localA = direct(localBits);
        UnsafeBuffer outA = slice(wireOffset + count * dtype.bytes() + 16);
        UnsafeBuffer outB = slice(wireOffset + count * dtype.bytes() + 16);
        simd.encode(localA, first, count, outA, wireOffset);
        scalar.encode(localA, first, count, outB, wireOffset);
        assertSame(outA, outB, dtype + " encode of " + count);

        // a received payload: the encoding of other random values
        UnsafeBuffer wire = slice(wireOffset + count * dtype.bytes() + 16);
        scalar.encode(direct(wireSource), first, count, wire, wireOffset);

        UnsafeBuffer reducedA = direct(localBits);
        UnsafeBuffer reducedB = direct(localBits);
        if (divisor == 0) {
          simd.addInto(wire, wireOffset, reducedA, first, count);
          scalar.addInto(wire, wireOffset, reducedB, first, count);
        } else {
          simd.addIntoAndFinish(wire, wireOffset, reducedA, first, count, divisor);
          scalar.addIntoAndFinish(wire, wireOffset, reducedB, first, count, divisor);
        }
        // Java leaves the payload of a NaN sum open (x86 keeps the first operand's): NaN is NaN.
        assertSameFloats(reducedA, reducedB, dtype + " reduce of " + count + " / " + divisor);

        UnsafeBuffer decodedA = direct(localBits);
        UnsafeBuffer decodedB = direct(localBits);
        simd.decode(wire, wireOffset, decodedA, first, count);
        scalar.decode(wire, wireOffset, decodedB, first, count);
        assertSame(decodedA, decodedB, dtype + " decode of " + count);
      }
    }
  }

  @Test
  void shouldMatchHandComputedBf16Sums() {
    // 1 + 2^-8 is a bf16 tie between 1 and 1 + 2^-7: nearest-even gives 1; 3 · 1.5 / 2 = 2.25.
    WireCodec codec = new WireCodec(Dtype.BF16, true);
    UnsafeBuffer local = direct(floatBits(1f, 1.5f, 2f, Float.NaN, 1e38f));
    UnsafeBuffer wire = slice(64);
    codec.encode(direct(floatBits(0x1p-8f, 3f, -2f, 1f, 1e38f)), 0, 5, wire, 2);
    codec.addIntoAndFinish(wire, 2, local, 0, 5, 2);
    assertThat(local.getFloat(0)).isEqualTo(0.5f); // (1 + 2^-8) / 2 -> 0.5 on the bf16 grid
    assertThat(local.getFloat(4)).isEqualTo(2.25f);
    assertThat(local.getFloat(8)).isEqualTo(0f);
    assertThat(local.getFloat(12)).isNaN();
    assertThat(local.getFloat(16)).isEqualTo(Dtype.BF16.round(1e38f)); // 2e38 / 2, rounded
  }

  private static int[] randomBits(SplittableRandom random, int n) {
    int[] bits = new int[n];
    for (int i = 0; i < n; i++) {
      int pick = random.nextInt(10);
      if (pick == 0) {
        bits[i] = SPECIAL[random.nextInt(SPECIAL.length)];
      } else if (pick == 1) {
        bits[i] = random.nextInt(); // any pattern, NaN payloads included
      } else {
        float v = (float) (random.nextGaussian() * Math.pow(2, random.nextInt(-20, 20)));
        bits[i] = Float.floatToRawIntBits(v);
      }
    }
    return bits;
  }

  private static int[] floatBits(float... values) {
    int[] bits = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      bits[i] = Float.floatToRawIntBits(values[i]);
    }
    return bits;
  }

  /** A direct, native-order buffer holding {@code bits}, as the ring's local vector. */
  private static UnsafeBuffer direct(int[] bits) {
    ByteBuffer b = ByteBuffer.allocateDirect(4 * bits.length).order(ByteOrder.nativeOrder());
    for (int i = 0; i < bits.length; i++) {
      b.putInt(4 * i, bits[i]);
    }
    return new UnsafeBuffer(b);
  }

  /** A zeroed buffer that is a slice at byte 24 of a larger one, like a term buffer's frame. */
  private static UnsafeBuffer slice(int length) {
    ByteBuffer b = ByteBuffer.allocateDirect(length + 64).order(ByteOrder.nativeOrder());
    return new UnsafeBuffer(b, 24, length);
  }

  private static void assertSameFloats(UnsafeBuffer a, UnsafeBuffer b, String what) {
    for (int i = 0; i + 4 <= a.capacity(); i += 4) {
      if (Float.isNaN(a.getFloat(i))) {
        assertThat(b.getFloat(i)).as("%s, byte %d", what, i).isNaN();
        b.putFloat(i, a.getFloat(i));
      }
    }
    assertSame(a, b, what);
  }

  private static void assertSame(UnsafeBuffer a, UnsafeBuffer b, String what) {
    assertThat(a.capacity()).isEqualTo(b.capacity());
    for (int i = 0; i + 4 <= a.capacity(); i += 4) {
      int x = a.getInt(i);
      int y = b.getInt(i);
      if (x != y) {
        assertThat(Integer.toHexString(x))
            .as("%s, byte %d", what, i)
            .isEqualTo(Integer.toHexString(y));
      }
    }
  }
}
