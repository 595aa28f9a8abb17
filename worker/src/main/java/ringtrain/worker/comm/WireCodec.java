package ringtrain.worker.comm;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Moves FP32 elements of the local vector to and from a frame payload in one {@link WireDtype},
 * accumulating in FP32. Element e of the local vector lives at byte {@code 4·e}.
 */
final class WireCodec {
  private final WireDtype dtype;

  WireCodec(WireDtype dtype) {
    this.dtype = dtype;
  }

  WireDtype dtype() {
    return dtype;
  }

  /** Writes {@code count} elements from {@code first}, rounded to the wire type, to {@code out}. */
  void encode(UnsafeBuffer local, long first, int count, MutableDirectBuffer out, int outOffset) {
    int src = (int) (first * Float.BYTES);
    switch (dtype) {
      case FP32 -> out.putBytes(outOffset, local, src, count * Float.BYTES);
      case BF16 -> {
        for (int i = 0; i < count; i++) {
          out.putShort(outOffset + 2 * i, WireDtype.floatToBf16(local.getFloat(src + 4 * i)));
        }
      }
      case FP16 -> {
        for (int i = 0; i < count; i++) {
          out.putShort(outOffset + 2 * i, WireDtype.floatToHalf(local.getFloat(src + 4 * i)));
        }
      }
    }
  }

  /** local[e] = wire value + local[e], in FP32. */
  void addInto(DirectBuffer in, int inOffset, UnsafeBuffer local, long first, int count) {
    int dst = (int) (first * Float.BYTES);
    switch (dtype) {
      case FP32 -> {
        for (int i = 0; i < count; i++) {
          int at = dst + 4 * i;
          local.putFloat(at, in.getFloat(inOffset + 4 * i) + local.getFloat(at));
        }
      }
      case BF16 -> {
        for (int i = 0; i < count; i++) {
          int at = dst + 4 * i;
          float v = WireDtype.bf16ToFloat(in.getShort(inOffset + 2 * i));
          local.putFloat(at, v + local.getFloat(at));
        }
      }
      case FP16 -> {
        for (int i = 0; i < count; i++) {
          int at = dst + 4 * i;
          float v = WireDtype.halfToFloat(in.getShort(inOffset + 2 * i));
          local.putFloat(at, v + local.getFloat(at));
        }
      }
    }
  }

  /** local[e] = wire value. */
  void decode(DirectBuffer in, int inOffset, UnsafeBuffer local, long first, int count) {
    int dst = (int) (first * Float.BYTES);
    switch (dtype) {
      case FP32 -> local.putBytes(dst, in, inOffset, count * Float.BYTES);
      case BF16 -> {
        for (int i = 0; i < count; i++) {
          local.putFloat(dst + 4 * i, WireDtype.bf16ToFloat(in.getShort(inOffset + 2 * i)));
        }
      }
      case FP16 -> {
        for (int i = 0; i < count; i++) {
          local.putFloat(dst + 4 * i, WireDtype.halfToFloat(in.getShort(inOffset + 2 * i)));
        }
      }
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
}
