package ringtrain.worker.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An optimizer over the flat FP32 master parameters, with PyTorch semantics. Implementations are
 * not thread-safe: one rank, one thread, one instance.
 */
public interface Optimizer {

  /**
   * One update in place on the flat FP32 params with the flat FP32 (already averaged, clipped)
   * grad, at learning rate lr. Increments the internal step counter t (1-based inside, like
   * PyTorch). Both arrays are vectors ({@code [n]}, {@code [1, n]} or {@code [n, 1]}) of the
   * layout's size; the gradient is not modified.
   */
  void step(INDArray params, INDArray grad, double lr);

  /** Number of steps taken (or restored). */
  long stepCount();

  /**
   * Named state tensors in a fixed order, live (not copies): adamw/adam/lamb -> "adam_m", "adam_v";
   * momentum/lars -> "momentum"; rmsprop -> "square_avg"; adagrad -> "sum"; sgd -> none. Every
   * tensor is FP32 of shape {@code [n]}.
   */
  LinkedHashMap<String, INDArray> state();

  /**
   * Restores step counter and state values (copied in) from a snapshot; throws SnapshotException
   * (one line) on a missing name or wrong length, leaving the optimizer unchanged.
   */
  void restore(long stepCount, Map<String, INDArray> state);
}
