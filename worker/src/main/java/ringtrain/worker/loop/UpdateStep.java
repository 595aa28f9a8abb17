package ringtrain.worker.loop;

import org.nd4j.linalg.api.ndarray.INDArray;
import ringtrain.common.config.JobConfig;
import ringtrain.worker.ddp.GradientBuffer;
import ringtrain.worker.ddp.GradientNoiseScale;
import ringtrain.worker.ddp.SideScalar;
import ringtrain.worker.model.GradientEngine;
import ringtrain.worker.optim.GradientClipping;
import ringtrain.worker.optim.Optimizer;
import ringtrain.worker.precision.LossScaler;

/**
 * The update half of a step, on the averaged gradient: running statistics out of the gradient,
 * unscale and divide by the micro-batch size, the loss scaler's skip decision (the same on every
 * rank: same vector, same flag), global-norm and value clipping, the optimizer step, and the copy
 * to the compute weights.
 */
final class UpdateStep {
  /**
   * What the update did.
   *
   * @param loss the step's training loss, averaged over the ranks
   * @param gradNorm the global L2 norm of the (unscaled) gradient before clipping
   * @param skipped whether the update was skipped (inf/NaN on some rank under loss scaling)
   */
  record Result(double loss, double gradNorm, boolean skipped) {}

  private final long microBatch;
  private final double clipNorm;
  private final double clipValue;
  private final GradientBuffer gradient;
  private final RunningState runningState;
  private final LossScaler scaler;
  private final Optimizer optimizer;
  private final INDArray params;
  private final GradientEngine engine;

  /** The gradient noise scale estimate; null when the global batch is one micro-batch. */
  private final GradientNoiseScale noise;

  UpdateStep(
      JobConfig job,
      GradientBuffer gradient,
      RunningState runningState,
      LossScaler scaler,
      Optimizer optimizer,
      INDArray params,
      GradientEngine engine,
      GradientNoiseScale noise) {
    this.microBatch = job.train().microBatch();
    this.clipNorm = job.optim().clipNorm();
    this.clipValue = job.optim().clipValue();
    this.gradient = gradient;
    this.runningState = runningState;
    this.scaler = scaler;
    this.optimizer = optimizer;
    this.params = params;
    this.engine = engine;
    this.noise = noise;
  }

  /** Updates the parameters from the averaged gradient, computed with loss scale {@code scale}. */
  Result apply(double lr, double scale) {
    double loss = gradient.get(SideScalar.LOSS);
    INDArray grad = gradient.gradient();
    if (runningState.present()) {
      runningState.take(grad);
    }
    // Engines leave the gradient of the loss summed over the micro-batch (DL4J's convention), but
    // the loss is a mean over the global batch: divide by b here, once, together with unscaling
    // (before clipping, so clipping and the update see the true gradient).
    grad.muli(1.0 / (microBatch * scale));
    boolean skipped = false;
    if (scaler.enabled()) {
      // Every rank holds the same reduced vector and flag, hence makes the same decision.
      boolean finite =
          gradient.get(SideScalar.NON_FINITE) == 0
              && Double.isFinite(grad.sumNumber().doubleValue());
      skipped = scaler.update(finite);
    }
    if (skipped) {
      return new Result(loss, grad.norm2Number().doubleValue(), true);
    }
    double gradNorm = GradientClipping.clipByGlobalNorm(grad, clipNorm);
    GradientClipping.clipByValue(grad, clipValue);
    if (runningState.present()) {
      runningState.save(params);
    }
    optimizer.step(params, grad, lr);
    if (runningState.present()) {
      runningState.update(params);
    }
    engine.paramsUpdated();
    if (noise != null) {
      noise.update(gradient.get(SideScalar.MICRO_BATCH_GRAD_SQ), gradNorm * gradNorm);
    }
    return new Result(loss, gradNorm, false);
  }
}
