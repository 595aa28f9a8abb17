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
   * @return the mean loss over the micro-batch; its gradient is then in {@link #gradient()}
   */
  double computeGradient(DataSet batch);

  /**
   * Flat FP32 gradient of the last {@link #computeGradient} call, laid out like {@link #params()}.
   */
  INDArray gradient();

  /** Flat FP32 parameter vector; writing it changes the network. */
  INDArray params();

  /** Names, offsets and decay flags of the tensors in {@link #params()}. */
  ParamLayout layout();
}
