package ringtrain.worker.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import ringtrain.worker.optim.ParamLayout;

/**
 * Computes the loss and the flat FP32 gradient of one micro-batch. The training loop owns
 * accumulation, communication and the update; an engine only runs forward and backward.
 * Layer-by-layer engines (activation recomputation, bucketed overlap) implement the same seam.
 */
public interface GradientEngine {

  /**
   * Runs forward and backward on {@code batch} in training mode.
   *
   * @return the mean loss over the micro-batch; the gradient is then in {@link #gradient()}
   */
  double computeGradient(DataSet batch);

  /**
   * Flat FP32 gradient of the last {@link #computeGradient} call, laid out like {@link #params()}:
   * the gradient of the loss <em>summed</em> over the micro-batch (times the loss scale), DL4J's
   * own convention. The training loop divides by the micro-batch size once, after the all-reduce.
   */
  INDArray gradient();

  /** Flat FP32 parameter vector; writing it changes the network. */
  INDArray params();

  /** Names, offsets and decay flags of the tensors in {@link #params()}. */
  ParamLayout layout();

  /**
   * Multiplies the loss (in practice its gradient) by {@code scale}, a power of two, from the next
   * {@link #computeGradient} on. Engines without loss scaling accept only 1.
   */
  default void setLossScale(double scale) {
    if (scale != 1.0) {
      throw new UnsupportedOperationException(getClass().getSimpleName() + " has no loss scaling");
    }
  }

  /**
   * Tells the engine that {@link #params()} was written (an optimizer step, a restore), so it can
   * refresh any copy it computes with.
   */
  default void paramsUpdated() {}
}
