package ringtrain.worker.loop;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import ringtrain.worker.optim.ParamBlock;
import ringtrain.worker.optim.ParamLayout;
import ringtrain.worker.optim.ParamRole;

/**
 * The {@link ParamRole#STATE} parameters of a network (batch-norm running statistics) through one
 * step. DL4J's batch norm leaves in their gradient slot the delta {@code (1 - decay)·(running −
 * batch statistic)} that its own updater subtracts unscaled; after the all-reduce that delta is the
 * average over the ranks (and micro-batches). {@link #take} moves it out of the gradient, so
 * neither the global norm, clipping, nor the optimizer sees it; {@link #update} then sets the state
 * to what it was before the optimizer step minus the averaged delta, identically on every rank.
 */
final class RunningState {
  private final List<ParamBlock> blocks;
  private final INDArray delta;
  private final INDArray saved;

  RunningState(ParamLayout layout) {
    this.blocks = layout.blocks(ParamRole.STATE);
    long n = layout.count(ParamRole.STATE);
    this.delta = n == 0 ? null : Nd4j.zeros(DataType.FLOAT, n);
    this.saved = n == 0 ? null : Nd4j.zeros(DataType.FLOAT, n);
  }

  boolean present() {
    return !blocks.isEmpty();
  }

  /** Copies the state deltas out of the reduced {@code grad} and zeroes them there. */
  void take(INDArray grad) {
    long at = 0;
    for (ParamBlock b : blocks) {
      INDArray g = range(grad, b);
      range(delta, at, b.length()).assign(g);
      g.assign(0);
      at += b.length();
    }
  }

  /** Remembers the state values before the optimizer step (which must not change them). */
  void save(INDArray params) {
    long at = 0;
    for (ParamBlock b : blocks) {
      range(saved, at, b.length()).assign(range(params, b));
      at += b.length();
    }
  }

  /** Sets the state to its saved value minus the averaged delta. */
  void update(INDArray params) {
    long at = 0;
    for (ParamBlock b : blocks) {
      range(params, b).assign(range(saved, at, b.length()).sub(range(delta, at, b.length())));
      at += b.length();
    }
  }

  private static INDArray range(INDArray flat, ParamBlock b) {
    return range(flat, b.offset(), b.length());
  }

  private static INDArray range(INDArray flat, long from, long length) {
    return flat.get(NDArrayIndex.interval(from, from + length));
  }
}
