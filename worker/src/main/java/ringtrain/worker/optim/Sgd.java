package ringtrain.worker.optim;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * PyTorch SGD with L2 weight decay on the decaying blocks ({@code g ← g + λ·θ}), plain or with
 * momentum (dampening 0, buffer starting at g: {@code μ ← m·μ + g}, which from a zero buffer gives
 * g on the first step) and optionally Nesterov ({@code θ ← θ − η·(g + m·μ)}).
 */
final class Sgd extends FlatOptimizer {
  private final boolean withMomentum;
  private final double momentum;
  private final boolean nesterov;
  private final double weightDecay;
  private final INDArray buffer;
  private final BlockViews decayed;

  /** Plain SGD: no state. */
  Sgd(ParamLayout layout, double weightDecay) {
    super(layout);
    this.withMomentum = false;
    this.momentum = 0;
    this.nesterov = false;
    this.weightDecay = weightDecay;
    this.buffer = null;
    this.decayed = null;
  }

  /** SGD with a momentum buffer. */
  Sgd(ParamLayout layout, double momentum, boolean nesterov, double weightDecay) {
    super(layout, "momentum");
    this.withMomentum = true;
    this.momentum = momentum;
    this.nesterov = nesterov;
    this.weightDecay = weightDecay;
    this.buffer = stateVector("momentum");
    this.decayed = weightDecay > 0 ? scratchVector() : null;
  }

  @Override
  protected void update(BlockViews params, BlockViews grad, double lr, long t) {
    if (!withMomentum) {
      // θ − η·(g + λθ) = θ·(1 − ηλ) − η·g, without a temporary.
      if (weightDecay > 0) {
        scaleDecaying(params, 1 - lr * weightDecay);
      }
      axpy(-lr, grad.all(), params.all());
      return;
    }
    INDArray g = withL2(params, grad, weightDecay, decayed);
    buffer.muli(momentum);
    axpy(1.0, g, buffer);
    if (nesterov) {
      axpy(-lr, g, params.all());
      axpy(-lr * momentum, buffer, params.all());
    } else {
      axpy(-lr, buffer, params.all());
    }
  }
}
