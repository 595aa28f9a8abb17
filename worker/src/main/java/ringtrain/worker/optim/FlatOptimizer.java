package ringtrain.worker.optim;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import ringtrain.common.error.SnapshotException;

/**
 * What every optimizer shares: the step counter, named FP32 state vectors, argument checks,
 * snapshot restore and cached block views of the caller's parameter and gradient arrays.
 */
abstract class FlatOptimizer implements Optimizer {
  protected final ParamLayout layout;
  protected final List<ParamBlock> blocks;
  protected final long size;
  private final LinkedHashMap<String, INDArray> state = new LinkedHashMap<>();
  private long stepCount;

  // The training loop passes the same two arrays every step; their views are built once.
  private INDArray lastParams;
  private BlockViews paramViews;
  private INDArray lastGrad;
  private BlockViews gradViews;

  protected FlatOptimizer(ParamLayout layout, String... stateNames) {
    this.layout = layout;
    this.blocks = layout.blocks();
    this.size = layout.size();
    for (String name : stateNames) {
      state.put(name, Nd4j.zeros(DataType.FLOAT, size));
    }
  }

  /**
   * One update at 1-based step {@code t}, in place on {@code params}; {@code grad} must not be
   * modified.
   */
  protected abstract void update(BlockViews params, BlockViews grad, double lr, long t);

  @Override
  public final void step(INDArray params, INDArray grad, double lr) {
    if (!(lr >= 0) || !Double.isFinite(lr)) {
      throw new IllegalArgumentException("learning rate " + lr + " must be finite and >= 0");
    }
    if (params != lastParams) {
      paramViews = BlockViews.of(flat(params, "params"), layout);
      lastParams = params;
    }
    if (grad != lastGrad) {
      gradViews = BlockViews.of(flat(grad, "grad"), layout);
      lastGrad = grad;
    }
    stepCount++;
    update(paramViews, gradViews, lr, stepCount);
  }

  @Override
  public final long stepCount() {
    return stepCount;
  }

  @Override
  public final LinkedHashMap<String, INDArray> state() {
    return new LinkedHashMap<>(state);
  }

  @Override
  public final void restore(long restoredStepCount, Map<String, INDArray> snapshot) {
    if (restoredStepCount < 0) {
      throw new SnapshotException(
          "snapshot optimizer step " + restoredStepCount + " is negative; the snapshot is corrupt");
    }
    // Check everything before copying anything, so a bad snapshot leaves this optimizer intact.
    for (String name : state.keySet()) {
      INDArray source = snapshot.get(name);
      if (source == null) {
        throw new SnapshotException(
            "snapshot lacks optimizer state '"
                + name
                + "'; it was written by another optimizer (optim.name) - resume with that one or"
                + " start without --resume");
      }
      if (source.length() != size) {
        throw new SnapshotException(
            "snapshot optimizer state '"
                + name
                + "' has "
                + source.length()
                + " values but the model has "
                + size
                + " parameters; it was written for another model");
      }
    }
    for (Map.Entry<String, INDArray> entry : state.entrySet()) {
      INDArray source = snapshot.get(entry.getKey());
      INDArray values =
          source.dataType() == DataType.FLOAT ? source : source.castTo(DataType.FLOAT);
      entry.getValue().assign(values.reshape(size));
    }
    stepCount = restoredStepCount;
  }

  /** The live state vector {@code name}. */
  protected final INDArray stateVector(String name) {
    return state.get(name);
  }

  /**
   * The L2-coupled gradient {@code g + λ·θ} on decaying blocks, written into {@code scratch}; the
   * gradient itself when λ = 0.
   */
  protected final INDArray withL2(
      BlockViews params, BlockViews grad, double weightDecay, BlockViews scratch) {
    if (weightDecay == 0) {
      return grad.all();
    }
    scratch.all().assign(grad.all());
    for (int i = 0; i < blocks.size(); i++) {
      if (blocks.get(i).decay() && params.block(i) != null) {
        axpy(weightDecay, params.block(i), scratch.block(i));
      }
    }
    return scratch.all();
  }

  /** Multiplies every decaying block of {@code params} by {@code factor} (decoupled decay). */
  protected final void scaleDecaying(BlockViews params, double factor) {
    for (int i = 0; i < blocks.size(); i++) {
      if (blocks.get(i).decay() && params.block(i) != null) {
        params.block(i).muli(factor);
      }
    }
  }

  /** A new uninitialized FP32 work vector of the layout's size, with block views. */
  protected final BlockViews scratchVector() {
    return BlockViews.of(Nd4j.createUninitialized(DataType.FLOAT, size), layout);
  }

  /** {@code y += alpha * x} on two equally long FP32 vectors, without a temporary. */
  protected static void axpy(double alpha, INDArray x, INDArray y) {
    Nd4j.getBlasWrapper().level1().axpy(x.length(), alpha, x, y);
  }

  private INDArray flat(INDArray array, String what) {
    if (array.dataType() != DataType.FLOAT) {
      throw new IllegalArgumentException(what + " must be FP32 but is " + array.dataType());
    }
    if (array.length() != size) {
      throw new IllegalArgumentException(
          what + " has " + array.length() + " values but the layout has " + size);
    }
    boolean vector = array.rank() == 1 || (array.rank() == 2 && array.isVector());
    if (!vector || array.elementWiseStride() != 1) {
      throw new IllegalArgumentException(
          what + " must be a contiguous vector but has shape " + Arrays.toString(array.shape()));
    }
    // A contiguous vector reshapes to a view sharing its buffer, so updates land in place.
    return array.rank() == 1 ? array : array.reshape(size);
  }
}
