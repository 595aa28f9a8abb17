package ringtrain.worker.optim;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LAMB (You et al. 2019, Algorithm 2). Adam moments with bias correction, {@code r = m̂/(√v̂ + ε)};
 * on a decaying block {@code θ ← θ − η·trust·(r + λθ)} with {@code trust = ‖θ‖/‖r + λθ‖}, or 1 when
 * either norm is 0. No-decay blocks (biases, normalization gain and shift) take {@code θ ← θ −
 * η·r}: neither decay nor a trust ratio, as in the reference implementations that exclude them.
 *
 * <p>On the CPU backend one {@link FusedLamb} step; elsewhere a sequence of ND4J passes.
 */
final class Lamb extends FlatOptimizer {
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private final INDArray m;
  private final INDArray v;
  private final BlockViews update;
  private final FusedLamb fused;

  Lamb(ParamLayout layout, double beta1, double beta2, double eps, double weightDecay) {
    this(layout, beta1, beta2, eps, weightDecay, FusedAdam.available());
  }

  /** {@code fuse}: the two-sweep {@link FusedLamb} (CPU only) or one ND4J pass per operation. */
  Lamb(
      ParamLayout layout,
      double beta1,
      double beta2,
      double eps,
      double weightDecay,
      boolean fuse) {
    super(layout, "adam_m", "adam_v");
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.m = stateVector("adam_m");
    this.v = stateVector("adam_v");
    this.update = scratchVector();
    this.fused = fuse ? new FusedLamb() : null;
  }

  @Override
  protected void update(BlockViews params, BlockViews grad, double lr, long t) {
    if (fused != null) {
      fused.step(
          params.all(),
          grad.all(),
          m,
          v,
          update.all(),
          blocks,
          weightDecay,
          lr,
          beta1,
          beta2,
          eps,
          t);
      return;
    }
    double scale = AdamKernel.direction(grad.all(), m, v, update.all(), beta1, beta2, eps, t);
    update.all().muli(scale);
    for (int i = 0; i < blocks.size(); i++) {
      INDArray p = params.block(i);
      if (p == null) {
        continue;
      }
      INDArray r = update.block(i);
      if (!blocks.get(i).decay()) {
        axpy(-lr, r, p);
        continue;
      }
      if (weightDecay > 0) {
        axpy(weightDecay, p, r);
      }
      double paramNorm = p.norm2Number().doubleValue();
      double updateNorm = r.norm2Number().doubleValue();
      double trust = paramNorm > 0 && updateNorm > 0 ? paramNorm / updateNorm : 1.0;
      axpy(-lr * trust, r, p);
    }
  }
}
