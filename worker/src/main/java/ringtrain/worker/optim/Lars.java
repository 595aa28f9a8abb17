package ringtrain.worker.optim;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LARS (You et al. 2017) with momentum. Per decaying block: {@code trust = c·‖θ‖/(‖g‖ + λ‖θ‖)} (1
 * when a norm is 0), {@code μ ← m·μ + trust·(g + λθ)}; blocks without decay take trust 1 and no
 * decay. Then {@code θ ← θ − η·μ}.
 */
final class Lars extends FlatOptimizer {
  private final double momentum;
  private final double weightDecay;
  private final double trustCoefficient;
  private final BlockViews buffer;

  Lars(ParamLayout layout, double momentum, double weightDecay, double trustCoefficient) {
    super(layout, "momentum");
    this.momentum = momentum;
    this.weightDecay = weightDecay;
    this.trustCoefficient = trustCoefficient;
    this.buffer = BlockViews.of(stateVector("momentum"), layout);
  }

  @Override
  protected void update(BlockViews params, BlockViews grad, double lr, long t) {
    buffer.all().muli(momentum);
    for (int i = 0; i < blocks.size(); i++) {
      INDArray p = params.block(i);
      if (p == null) {
        continue;
      }
      INDArray g = grad.block(i);
      INDArray mu = buffer.block(i);
      if (!blocks.get(i).decay()) {
        axpy(1.0, g, mu);
        continue;
      }
      double paramNorm = p.norm2Number().doubleValue();
      double gradNorm = g.norm2Number().doubleValue();
      double trust =
          paramNorm > 0 && gradNorm > 0
              ? trustCoefficient * paramNorm / (gradNorm + weightDecay * paramNorm)
              : 1.0;
      axpy(trust, g, mu);
      if (weightDecay > 0) {
        axpy(trust * weightDecay, p, mu);
      }
    }
    axpy(-lr, buffer.all(), params.all());
  }
}
