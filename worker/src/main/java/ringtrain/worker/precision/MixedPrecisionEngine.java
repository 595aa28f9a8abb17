package ringtrain.worker.precision;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import ringtrain.common.numeric.Dtype;
import ringtrain.worker.model.GradientEngine;
import ringtrain.worker.model.TrainableModel;
import ringtrain.worker.optim.ParamLayout;
import ringtrain.worker.remat.LayerwiseEngine;

/**
 * FP32 master weights with a low-precision compute copy. The master network's parameters are what
 * the optimizer updates, what snapshots hold and what evaluation uses; gradients are computed on a
 * second network holding the compute copy, refreshed by {@link #paramsUpdated()}.
 *
 * <p>Two compute paths: <b>native</b> — the compute network is DL4J's own HALF or BFLOAT16 network
 * (what the nd4j-cuda backend runs fast); <b>emulated</b> — an FP32 network whose weights,
 * activations, errors and gradients are rounded to the bf16/fp16 grid by {@link LowPrecisionGrid}
 * (what CPUs run fast). Either way the gradient handed out is FP32.
 */
public final class MixedPrecisionEngine implements GradientEngine {
  private final Model master;
  private final LayerwiseEngine compute;
  private final LowPrecisionGrid weightGrid;
  private final boolean nativeTypes;
  private final INDArray gradient;
  private final ParamLayout layout;

  /**
   * @param master the FP32 network; its parameters are the master weights
   * @param precision compute precision, BF16 or FP16
   * @param nativeTypes true: compute with ND4J's HALF/BFLOAT16; false: emulate on FP32 kernels
   * @param segments {@code remat.segments}
   */
  public MixedPrecisionEngine(
      MultiLayerNetwork master, Dtype precision, boolean nativeTypes, int segments) {
    this(TrainableModel.of(master), precision, nativeTypes, segments);
  }

  /**
   * Over a {@link TrainableModel}: a MultiLayerNetwork (through {@link
   * ringtrain.worker.remat.LayerEngine}) or a ComputationGraph (through {@link
   * ringtrain.worker.remat.GraphLayerEngine}).
   */
  public MixedPrecisionEngine(
      TrainableModel master, Dtype precision, boolean nativeTypes, int segments) {
    if (precision == Dtype.FP32) {
      throw new IllegalArgumentException("mixed precision needs bf16 or fp16 compute");
    }
    this.master = master.network();
    this.nativeTypes = nativeTypes;
    this.layout = master.layout();
    if (nativeTypes) {
      DataType type = precision == Dtype.FP16 ? DataType.HALF : DataType.BFLOAT16;
      this.weightGrid = LowPrecisionGrid.of(Dtype.FP32);
      this.compute =
          LayerwiseEngine.of(
              converted(this.master, type), segments, LowPrecisionGrid.of(Dtype.FP32));
      this.gradient = Nd4j.zeros(DataType.FLOAT, 1, master.numParams());
    } else {
      this.weightGrid = LowPrecisionGrid.of(precision);
      this.compute = LayerwiseEngine.of(copy(this.master), segments, weightGrid);
      this.gradient = null;
    }
    paramsUpdated();
  }

  /** {@code network} in another data type (DL4J's own conversion). */
  private static Model converted(Model network, DataType type) {
    if (network instanceof MultiLayerNetwork net) {
      return net.convertDataType(type);
    }
    return ((ComputationGraph) network).convertDataType(type);
  }

  /** An FP32 copy of {@code network}. */
  private static Model copy(Model network) {
    if (network instanceof MultiLayerNetwork net) {
      return net.clone();
    }
    return ((ComputationGraph) network).clone();
  }

  @Override
  public double computeGradient(DataSet batch) {
    if (nativeTypes) {
      DataType type = compute.params().dataType();
      DataSet cast = new DataSet(batch.getFeatures().castTo(type), batch.getLabels().castTo(type));
      double loss = compute.computeGradient(cast);
      gradient.assign(compute.gradient().castTo(DataType.FLOAT));
      return loss;
    }
    return compute.computeGradient(batch);
  }

  /** Copies the master weights into the compute copy, rounding (or casting) them. */
  @Override
  public void paramsUpdated() {
    INDArray target = compute.params();
    target.assign(master.params());
    weightGrid.roundInPlace(target);
  }

  @Override
  public void setLossScale(double scale) {
    compute.setLossScale(scale);
  }

  @Override
  public INDArray gradient() {
    return nativeTypes ? gradient : compute.gradient();
  }

  @Override
  public INDArray params() {
    return master.params();
  }

  @Override
  public ParamLayout layout() {
    return layout;
  }

  /** The layer-by-layer engine running the compute copy (for listeners and the memory meter). */
  public LayerwiseEngine computeEngine() {
    return compute;
  }
}
