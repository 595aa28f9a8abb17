package ringtrain.worker.optim;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LARS (You et al. 2017, Algorithm 1) with momentum. On a decaying block the local learning rate is
 * {@code trust = c·‖θ‖/(‖g‖ + λ‖θ‖)} (c = optim.trust_coefficient; 1 when either norm is 0) and
 * {@code μ ← m·μ + trust·(g + λθ)}; no-decay blocks (biases, normalization gain and shift) take
 * {@code μ ← m·μ + g}: neither decay nor a trust ratio. Then {@code θ ← θ − η·μ} with the scheduled
 * global rate η. μ starts at 0, so the first step is {@code θ − η·trust·(g + λθ)}.
 *
 * <p>On the CPU backend one {@link FusedLars} step; elsewhere a sequence of ND4J passes.
 */
final class Lars extends FlatOptimizer {
  private final double momentum;
  private final double weightDecay;
  private final double trustCoefficient;
  private final BlockViews buffer;
  private final FusedLars fused;

  Lars(ParamLayout layout, double momentum, double weightDecay, double trustCoefficient) {
    this(layout, momentum, weightDecay, trustCoefficient, FusedAdam.available());
  }

  /** {@code fuse}: the fused {@link FusedLars} (CPU only) or one ND4J pass per operation. */
  Lars(
      ParamLayout layout,
      double momentum,
      double weightDecay,
      double trustCoefficient,
      boolean fuse) {
    super(layout, "momentum");
    this.momentum = momentum;
    this.weightDecay = weightDecay;
    this.trustCoefficient = trustCoefficient;
    this.buffer = BlockViews.of(stateVector("momentum"), layout);
    this.fused = fuse ? new FusedLars() : null;
  }

  @Override
  protected void update(BlockViews params, BlockViews grad, double lr, long t) {
    if (fused != null) {
      fused.step(
          params.all(),
          grad.all(),
          buffer.all(),
          blocks,
          momentum,
          weightDecay,
          trustCoefficient,
          lr);
      return;
    }
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
