package ringtrain.worker.precision;

import ringtrain.common.config.PrecisionConfig;
import ringtrain.common.numeric.Dtype;

/**
 * Dynamic loss scaling with PyTorch {@code GradScaler} semantics: the loss (in practice its
 * gradient) is multiplied by the scale so small fp16 gradients do not flush to zero; a step whose
 * gradients hold inf or NaN is skipped and the scale halved; after {@code growthInterval}
 * consecutive finite steps the scale doubles. Scales stay powers of two, so scaling and unscaling
 * are exact in FP32.
 *
 * <p>The caller must feed every rank the same finiteness decision (it is all-reduced), so the scale
 * and the skipped steps stay identical across ranks.
 */
public final class LossScaler {
  /** GradScaler's defaults. */
  public static final double DEFAULT_INIT = 65536.0;

  public static final int DEFAULT_GROWTH_INTERVAL = 2000;

  private final boolean enabled;
  private final int growthInterval;
  private double scale;
  private long growthTracker;
  private long skippedSteps;

  private LossScaler(boolean enabled, double scale, int growthInterval) {
    if (enabled && !(scale > 0 && Double.isFinite(scale))) {
      throw new IllegalArgumentException("loss scale must be finite and > 0, got " + scale);
    }
    if (growthInterval < 1) {
      throw new IllegalArgumentException("growth interval must be >= 1, got " + growthInterval);
    }
    this.enabled = enabled;
    this.scale = scale;
    this.growthInterval = growthInterval;
  }

  /** A scaler that starts at {@code init} and doubles after {@code growthInterval} good steps. */
  public static LossScaler dynamic(double init, int growthInterval) {
    return new LossScaler(true, init, growthInterval);
  }

  /** The scaler {@code precision} calls for: dynamic for fp16 compute, disabled otherwise. */
  public static LossScaler forCompute(PrecisionConfig precision) {
    return precision.compute() == Dtype.FP16
        ? dynamic(precision.lossScaleInit(), precision.growthInterval())
        : disabled();
  }

  /** Scale 1 forever and no step is ever skipped (fp32 and bf16). */
  public static LossScaler disabled() {
    return new LossScaler(false, 1.0, 1);
  }

  public boolean enabled() {
    return enabled;
  }

  /** The scale to apply to this step's loss. */
  public double scale() {
    return scale;
  }

  /** Finite steps since the last growth or backoff. */
  public long growthTracker() {
    return growthTracker;
  }

  /** Steps skipped so far in the run. */
  public long skippedSteps() {
    return skippedSteps;
  }

  /**
   * Records the outcome of a step.
   *
   * @param finite whether every rank's gradients were finite
   * @return true if the step must be skipped (no optimizer update)
   */
  public boolean update(boolean finite) {
    if (!enabled) {
      return false;
    }
    if (!finite) {
      scale *= 0.5;
      growthTracker = 0;
      skippedSteps++;
      return true;
    }
    growthTracker++;
    if (growthTracker == growthInterval) {
      scale *= 2.0;
      growthTracker = 0;
    }
    return false;
  }

  /** Restores the state written in a snapshot. */
  public void restore(double scale, long growthTracker, long skippedSteps) {
    if (!enabled) {
      return;
    }
    if (!(scale > 0 && Double.isFinite(scale)) || growthTracker < 0 || skippedSteps < 0) {
      throw new IllegalArgumentException(
          "invalid loss-scaler state " + scale + ", " + growthTracker + ", " + skippedSteps);
    }
    this.scale = scale;
    this.growthTracker = growthTracker;
    this.skippedSteps = skippedSteps;
  }
}
