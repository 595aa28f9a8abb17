package ringtrain.worker.precision;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import ringtrain.common.numeric.Dtype;

/**
 * Rounds FP32 tensors in place to the bf16 or fp16 grid: what a tensor stored in that type on a GPU
 * would hold. bf16 and fp16 round to nearest even; fp16 keeps IEEE subnormals and overflows to
 * ±infinity beyond 65504, which is what dynamic loss scaling has to detect. The rounding is {@link
 * Dtype}'s own, the one the wire uses, so the compute path and the wire round identically.
 */
public final class LowPrecisionGrid {
  private final Dtype precision;

  private LowPrecisionGrid(Dtype precision) {
    this.precision = precision;
  }

  /** The grid of {@code precision}; FP32 leaves every value as it is. */
  public static LowPrecisionGrid of(Dtype precision) {
    return new LowPrecisionGrid(precision);
  }

  public Dtype precision() {
    return precision;
  }

  /** Whether {@link #round} changes anything. */
  public boolean isIdentity() {
    return precision == Dtype.FP32;
  }

  /** {@code value} rounded to the grid. */
  public float round(float value) {
    return precision.round(value);
  }

  /** Rounds every element of the FP32 array {@code a} in place and returns it. */
  public INDArray roundInPlace(INDArray a) {
    if (isIdentity() || a == null || a.isEmpty()) {
      return a;
    }
    if (a.dataType() != DataType.FLOAT) {
      throw new IllegalArgumentException(
          "emulated rounding needs FLOAT arrays, got " + a.dataType());
    }
    if (a.elementWiseStride() != 1) {
      // Strided views: round a contiguous copy and write it back. (Rounding is elementwise, so
      // any array whose elements are contiguous in its own ordering is rounded in place.)
      INDArray copy = a.dup('c');
      roundContiguous(copy);
      a.assign(copy);
      return a;
    }
    roundContiguous(a);
    return a;
  }

  private void roundContiguous(INDArray a) {
    FloatBuffer values =
        a.data()
            .asNio()
            .order(ByteOrder.nativeOrder())
            .asFloatBuffer()
            .position((int) a.offset())
            .limit((int) (a.offset() + a.length()))
            .slice();
    int n = values.limit();
    float[] chunk = new float[Math.min(n, 1 << 16)];
    for (int from = 0; from < n; from += chunk.length) {
      int len = Math.min(chunk.length, n - from);
      values.get(from, chunk, 0, len);
      if (precision == Dtype.BF16) {
        for (int i = 0; i < len; i++) {
          chunk[i] = Dtype.bf16ToFloat(Dtype.floatToBf16(chunk[i]));
        }
      } else {
        for (int i = 0; i < len; i++) {
          chunk[i] = Dtype.halfToFloat(Dtype.floatToHalf(chunk[i]));
        }
      }
      values.put(from, chunk, 0, len);
    }
  }
}
