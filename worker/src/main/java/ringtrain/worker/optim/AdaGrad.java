package ringtrain.worker.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.updaters.AdaGradUpdater;
import org.nd4j.linalg.factory.Nd4j;

/**
 * PyTorch Adagrad (lr_decay 0, initial accumulator 0, ε = 1e-10), L2 weight decay on decaying
 * blocks: {@code s ← s + g²; θ ← θ − η·g/(sqrt(s) + ε)}, in libnd4j's fused {@code
 * ada_grad_updater}.
 */
final class AdaGrad extends FlatOptimizer {
  /** PyTorch's default; optim.eps is tuned for the Adam family and does not apply here. */
  static final double EPS = 1e-10;

  private final double weightDecay;
  private final INDArray sum;
  private final BlockViews scratch;

  AdaGrad(ParamLayout layout, double weightDecay) {
    super(layout, "sum");
    this.weightDecay = weightDecay;
    this.sum = stateVector("sum");
    this.scratch = scratchVector();
  }

  @Override
  protected void update(BlockViews params, BlockViews grad, double lr, long t) {
    INDArray g = withL2(params, grad, weightDecay, scratch);
    Nd4j.exec(new AdaGradUpdater(g, sum, scratch.all(), sum, 1.0, EPS));
    axpy(-lr, scratch.all(), params.all());
  }
}
