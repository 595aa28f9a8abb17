package ringtrain.worker.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.factory.Nd4j;

/**
 * PyTorch RMSprop without momentum, not centered, L2 weight decay on decaying blocks: {@code s ←
 * α·s + (1−α)·g²; θ ← θ − η·g/(sqrt(s) + ε)}. Not libnd4j's fused {@code rms_prop_updater}: it
 * forms {@code 1 − α} in FP32 (off by 1e-6 relative for α = 0.99), see {@link AdamKernel}.
 */
final class RmsProp extends FlatOptimizer {
  private final double alpha;
  private final double eps;
  private final double weightDecay;
  private final INDArray squareAvg;
  private final BlockViews decayed;
  private final INDArray scratch;

  RmsProp(ParamLayout layout, double alpha, double eps, double weightDecay) {
    super(layout, "square_avg");
    this.alpha = alpha;
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.squareAvg = stateVector("square_avg");
    this.decayed = weightDecay > 0 ? scratchVector() : null;
    this.scratch = scratchVector().all();
  }

  @Override
  protected void update(BlockViews params, BlockViews grad, double lr, long t) {
    INDArray g = withL2(params, grad, weightDecay, decayed);
    squareAvg.muli(alpha);
    g.mul(g, scratch);
    axpy(1 - alpha, scratch, squareAvg);
    Nd4j.exec(new Sqrt(squareAvg, scratch));
    scratch.addi(eps);
    scratch.rdivi(g);
    axpy(-lr, scratch, params.all());
  }
}
