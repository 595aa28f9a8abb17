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
        for (int i = 0; i < count; i++) {
          long a = at + 4L * i;
          float v = UnsafeApi.getFloat(inArray, from + 4L * i);
          UnsafeApi.putFloat(localArray, a, v + UnsafeApi.getFloat(localArray, a));
        }
      }
      case BF16 -> {
        for (int i = 0; i < count; i++) {
          long a = at + 4L * i;
          float v = WireDtype.bf16ToFloat(UnsafeApi.getShort(inArray, from + 2L * i));
          UnsafeApi.putFloat(localArray, a, v + UnsafeApi.getFloat(localArray, a));
        }
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

  private static void checkRange(DirectBuffer buffer, int offset, int length) {
    if (offset < 0 || length < 0 || (long) offset + length > buffer.capacity()) {
      throw new IndexOutOfBoundsException(
          "range [" + offset + ", " + offset + length + ") outside " + buffer.capacity());
    }
  }
}
