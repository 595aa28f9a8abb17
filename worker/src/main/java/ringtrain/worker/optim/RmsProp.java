package ringtrain.worker.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.updaters.RmsPropUpdater;
import org.nd4j.linalg.factory.Nd4j;

/**
 * PyTorch RMSprop without momentum, not centered, L2 weight decay on decaying blocks: {@code s ←
 * α·s + (1−α)·g²; θ ← θ − η·g/(sqrt(s) + ε)}. The moment update and the direction run in libnd4j's
 * fused {@code rms_prop_updater}, which has the same formula.
 */
final class RmsProp extends FlatOptimizer {
  private final double alpha;
  private final double eps;
  private final double weightDecay;
  private final INDArray squareAvg;
  private final BlockViews scratch;

  RmsProp(ParamLayout layout, double alpha, double eps, double weightDecay) {
    super(layout, "square_avg");
    this.alpha = alpha;
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.squareAvg = stateVector("square_avg");
    this.scratch = scratchVector();
  }

  @Override
  protected void update(BlockViews params, BlockViews grad, double lr, long t) {
    INDArray g = withL2(params, grad, weightDecay, scratch);
    // lr 1 here and η in the axpy: the kernel would turn a zero learning rate into a nonzero one.
    Nd4j.exec(new RmsPropUpdater(g, squareAvg, scratch.all(), squareAvg, 1.0, alpha, eps));
    axpy(-lr, scratch.all(), params.all());
  }
}
