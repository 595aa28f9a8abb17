package ringtrain.worker.optim;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LAMB (You et al. 2019): Adam moments with bias correction, the update {@code r = m̂/(sqrt(v̂)+ε)
 * + λ·θ} (λ on decaying blocks only), and per block {@code θ ← θ − η·trust·r} with {@code trust =
 * ‖θ‖/‖r‖}, or 1 when either norm is 0. Every block, decaying or not, gets its trust ratio.
 */
final class Lamb extends FlatOptimizer {
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private final INDArray m;
  private final INDArray v;
  private final BlockViews update;

  Lamb(ParamLayout layout, double beta1, double beta2, double eps, double weightDecay) {
    super(layout, "adam_m", "adam_v");
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.m = stateVector("adam_m");
    this.v = stateVector("adam_v");
    this.update = scratchVector();
  }

  @Override
  protected void update(BlockViews params, BlockViews grad, double lr, long t) {
    double scale = AdamKernel.direction(grad.all(), m, v, update.all(), beta1, beta2, eps, t);
    update.all().muli(scale);
    for (int i = 0; i < blocks.size(); i++) {
      INDArray p = params.block(i);
      if (p == null) {
        continue;
      }
      INDArray r = update.block(i);
      if (blocks.get(i).decay() && weightDecay > 0) {
        axpy(weightDecay, p, r);
      }
      double paramNorm = p.norm2Number().doubleValue();
      double updateNorm = r.norm2Number().doubleValue();
      double trust = paramNorm > 0 && updateNorm > 0 ? paramNorm / updateNorm : 1.0;
      axpy(-lr * trust, r, p);
    }
  }
}
