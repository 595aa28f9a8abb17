package ringtrain.common.numeric;

import java.util.Locale;

/**
 * A floating-point data type of ringtrain: of the compute copy of the weights and activations
 * ({@code precision.compute}), of gradients on the wire ({@code precision.comm}) and of the grid
 * that emulated low-precision compute rounds FP32 values to. One enum for all three, so that the
 * compute path, the wire and the emulation round identically.
 *
 * <p>On the wire, sums are always accumulated in FP32; a value is rounded to the wire type once per
 * hop, when it is sent.
 *
 * <p>bf16 keeps the FP32 exponent and rounds the mantissa to 8 bits, nearest-even; fp16 is IEEE
 * binary16, nearest-even, with subnormals, and overflows to infinity (which is what dynamic loss
 * scaling must see).
 */
public enum Dtype {
  FP32(4),
  BF16(2),
  FP16(2);

  private final int bytes;

  Dtype(int bytes) {
    this.bytes = bytes;
  }

  /** Bytes per element, on the wire or in a tensor of this type. */
  public int bytes() {
    return bytes;
  }

  /** {@code value} rounded to this type's grid, as FP32. */
  public float round(float value) {
    return switch (this) {
      case FP32 -> value;
      case BF16 -> bf16ToFloat(floatToBf16(value));
      case FP16 -> halfToFloat(floatToHalf(value));
    };
  }

  /** Parses {@code fp32}, {@code bf16} or {@code fp16} (case-insensitive). */
  public static Dtype parse(String name) {
    return valueOf(name.trim().toUpperCase(Locale.ROOT));
  }

  /** FP32 to bf16 bits, round to nearest even; NaN stays a (quiet) NaN. */
  public static short floatToBf16(float value) {
    return (short) bf16Bits(Float.floatToRawIntBits(value));
  }

  /**
   * The bf16 bits (low 16 bits of the result) of the FP32 value with raw bits {@code bits}: round
   * to nearest even, NaN kept a quiet NaN. Branch-free integer arithmetic, so that C2 vectorizes
   * loops over int arrays that call it.
   */
  public static int bf16Bits(int bits) {
    int rounded = (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
    int nan = (0x7f800000 - (bits & 0x7fffffff)) >> 31; // all ones iff NaN
    return (rounded & ~nan) | (((bits >>> 16) | 0x0040) & nan);
  }

  public static float bf16ToFloat(short bf16) {
    return Float.intBitsToFloat((bf16 & 0xffff) << 16);
  }

  /** FP32 to IEEE binary16 bits, round to nearest even, overflow to infinity. */
  public static short floatToHalf(float value) {
    int bits = Float.floatToRawIntBits(value);
    int sign = (bits >>> 16) & 0x8000;
    int exponent = (bits >>> 23) & 0xff;
    int mantissa = bits & 0x7fffff;
    if (exponent == 0xff) {
      return (short) (sign | 0x7c00 | (mantissa != 0 ? 0x200 | (mantissa >>> 13) : 0));
    }
    int halfExponent = exponent - 127 + 15;
    if (halfExponent >= 0x1f) {
      return (short) (sign | 0x7c00);
    }
    if (halfExponent <= 0) {
      if (halfExponent < -10) {
        return (short) sign;
      }
      int full = mantissa | 0x800000;
      int shift = 14 - halfExponent;
      int half = full >>> shift;
      int remainder = full & ((1 << shift) - 1);
      int halfway = 1 << (shift - 1);
      if (remainder > halfway || (remainder == halfway && (half & 1) != 0)) {
        half++;
      }
      return (short) (sign | half);
    }
    int half = (halfExponent << 10) | (mantissa >>> 13);
    int remainder = mantissa & 0x1fff;
    if (remainder > 0x1000 || (remainder == 0x1000 && (half & 1) != 0)) {
      half++; // a carry into the exponent is correct, up to and including infinity
    }
    return (short) (sign | half);
  }

  public static float halfToFloat(short half) {
    int h = half & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exponent = (h >>> 10) & 0x1f;
    int mantissa = h & 0x3ff;
    if (exponent == 0) {
      float magnitude = mantissa * 0x1p-24f;
      return sign != 0 ? -magnitude : magnitude;
    }
    if (exponent == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }
}
