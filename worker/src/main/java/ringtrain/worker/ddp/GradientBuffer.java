package ringtrain.worker.ddp;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import ringtrain.common.numeric.Dtype;
import ringtrain.worker.comm.Collective;
import ringtrain.worker.comm.ReduceOp;

/**
 * The flat FP32 gradient of one rank with its {@link SideScalar}s in {@link SideScalar#COUNT} slots
 * right behind it, in one off-heap vector, so that with an FP32 wire one all-reduce averages both.
 * With a bf16/fp16 wire the gradient travels in the wire type and the side scalars in a second,
 * tiny FP32 all-reduce: a loss or an overflow flag is never rounded to the wire's grid.
 */
public final class GradientBuffer {
  private final long size;
  private final INDArray whole;
  private final INDArray gradient;
  private final FloatBuffer wholeBuffer;
  private final FloatBuffer gradientBuffer;
  private final FloatBuffer scalarBuffer;

  /**
   * @param size number of parameters P
   */
  public GradientBuffer(long size) {
    this.size = size;
    this.whole = Nd4j.zeros(DataType.FLOAT, size + SideScalar.COUNT);
    this.gradient = whole.get(NDArrayIndex.interval(0, size));
    this.wholeBuffer = buffer(whole);
    this.gradientBuffer = slice(0, size);
    this.scalarBuffer = slice(size, size + SideScalar.COUNT);
  }

  /** The gradient, a view of shape {@code [P]}. */
  public INDArray gradient() {
    return gradient;
  }

  public long size() {
    return size;
  }

  public void set(SideScalar scalar, double value) {
    whole.putScalar(size + scalar.ordinal(), value);
  }

  public double get(SideScalar scalar) {
    return whole.getDouble(size + scalar.ordinal());
  }

  /** Sets every side scalar to 0 (the start of a step). */
  public void clearScalars() {
    for (SideScalar s : SideScalar.values()) {
      set(s, 0);
    }
  }

  /**
   * Averages gradient and side scalars over the ranks of {@code comm}: one collective with an FP32
   * wire, otherwise the gradient in {@code wire} and the scalars in FP32.
   */
  public void allReduce(Collective comm, long step, Dtype wire) {
    if (wire == Dtype.FP32) {
      comm.allReduce(wholeBuffer, ReduceOp.AVERAGE, step, Dtype.FP32);
    } else {
      comm.allReduce(gradientBuffer, ReduceOp.AVERAGE, step, wire);
      comm.allReduce(scalarBuffer, ReduceOp.AVERAGE, step, Dtype.FP32);
    }
  }

  /** Direct view of gradient range {@code [from, to)}, for bucketed all-reduce. */
  public FloatBuffer slice(long from, long to) {
    return wholeBuffer.duplicate().position((int) from).limit((int) to).slice();
  }

  /** Direct view of the side-scalar slots, always reduced in FP32. */
  public FloatBuffer scalarBuffer() {
    return scalarBuffer;
  }

  /** Direct view of an ND4J off-heap float vector, for a collective to read and write in place. */
  public static FloatBuffer buffer(INDArray array) {
    return array
        .data()
        .asNio()
        .order(ByteOrder.nativeOrder())
        .asFloatBuffer()
        .position((int) array.offset())
        .limit((int) (array.offset() + array.length()))
        .slice();
  }
}
