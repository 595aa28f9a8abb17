package ringtrain.worker.optim;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Adam with PyTorch semantics, in two flavours of weight decay on the decaying blocks: decoupled
 * (AdamW: {@code θ ← θ·(1 − η·λ)} before the moment update) or L2-coupled (Adam: {@code g ← g +
 * λ·θ}). With λ = 0 both are the same algorithm.
 */
final class AdamW extends FlatOptimizer {
  private final boolean decoupled;
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private final INDArray m;
  private final INDArray v;
  private final BlockViews scratch;
  private final FusedAdam fused;

  AdamW(ParamLayout layout, boolean decoupled, double beta1, double beta2, double eps, double wd) {
    this(layout, decoupled, beta1, beta2, eps, wd, FusedAdam.available());
  }

  /** {@code fuse}: one pass per step ({@link FusedAdam}, CPU only) or one per operation. */
  AdamW(
      ParamLayout layout,
      boolean decoupled,
      double beta1,
      double beta2,
      double eps,
      double wd,
      boolean fuse) {
    super(layout, "adam_m", "adam_v");
    this.fused = fuse ? new FusedAdam() : null;
    this.decoupled = decoupled;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = wd;
    this.m = stateVector("adam_m");
    this.v = stateVector("adam_v");
    this.scratch = scratchVector();
  }

  @Override
  protected void update(BlockViews params, BlockViews grad, double lr, long t) {
    if (fused != null) {
      fused.step(
          params.all(), grad.all(), m, v, blocks, decoupled, weightDecay, lr, beta1, beta2, eps, t);
      return;
    }
    INDArray g = grad.all();
    if (decoupled) {
      if (weightDecay > 0) {
        scaleDecaying(params, 1 - lr * weightDecay);
      }
    } else {
      g = withL2(params, grad, weightDecay, scratch);
    }
    double scale = AdamKernel.direction(g, m, v, scratch.all(), beta1, beta2, eps, t);
    axpy(-lr * scale, scratch.all(), params.all());
  }
}
