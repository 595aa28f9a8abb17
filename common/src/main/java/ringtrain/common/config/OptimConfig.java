package ringtrain.common.config;

import java.util.Locale;
import ringtrain.common.config.key.OptimKeys;
import ringtrain.common.error.ConfigException;

/**
 * The {@code optim.*} keys: which optimizer, its hyperparameters, LR scaling for large batches and
 * gradient clipping. Every value is checked once, in the constructor, by its entry in {@link
 * OptimKeys}; after that the optimizer trusts it.
 *
 * @param name optimizer algorithm ({@code optim.name})
 * @param lr peak learning rate at {@code baseBatch} ({@code optim.lr}), ≥ 0
 * @param baseBatch batch size at which {@code lr} was tuned ({@code optim.base_batch}), ≥ 1
 * @param scaling how the peak LR grows with the global batch ({@code optim.scaling})
 * @param warmupRequiredAbove batch ratio above which linear scaling needs warmup, ≥ 0
 * @param beta1 first-moment decay of the Adam family, in [0, 1)
 * @param beta2 second-moment decay of the Adam family, in [0, 1)
 * @param eps denominator guard of adam/adamw/lamb/rmsprop, &gt; 0
 * @param weightDecay λ, decoupled (adamw, lamb, lars) or L2-coupled (the others), ≥ 0
 * @param momentum momentum factor of momentum and lars, in [0, 1)
 * @param nesterov Nesterov momentum (momentum only; needs momentum &gt; 0)
 * @param alpha RMSprop smoothing constant, in [0, 1)
 * @param trustCoefficient LARS trust coefficient, &gt; 0
 * @param clipNorm global-norm clipping threshold, ≥ 0 (0 = off)
 * @param clipValue element-wise clipping threshold, ≥ 0 (0 = off)
 */
public record OptimConfig(
    Algorithm name,
    double lr,
    long baseBatch,
    Scaling scaling,
    double warmupRequiredAbove,
    double beta1,
    double beta2,
    double eps,
    double weightDecay,
    double momentum,
    boolean nesterov,
    double alpha,
    double trustCoefficient,
    double clipNorm,
    double clipValue) {

  /** The values of {@code optim.name}. */
  public enum Algorithm {
    ADAMW,
    ADAM,
    SGD,
    MOMENTUM,
    RMSPROP,
    ADAGRAD,
    LAMB,
    LARS;

    /** The spelling used in config files. */
    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The values of {@code optim.scaling}. */
  public enum Scaling {
    LINEAR,
    SQRT,
    NONE;

    /** The spelling used in config files. */
    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public OptimConfig {
    if (name == null) {
      throw new ConfigException("optim.name is missing; set it to one of adamw, adam, sgd, ...");
    }
    if (scaling == null) {
      throw new ConfigException("optim.scaling is missing; set it to linear, sqrt or none");
    }
    OptimKeys.LR.check(lr);
    OptimKeys.BASE_BATCH.check(baseBatch);
    OptimKeys.WARMUP_REQUIRED_ABOVE.check(warmupRequiredAbove);
    OptimKeys.BETA1.check(beta1);
    OptimKeys.BETA2.check(beta2);
    OptimKeys.EPS.check(eps);
    OptimKeys.WEIGHT_DECAY.check(weightDecay);
    OptimKeys.MOMENTUM.check(momentum);
    if (nesterov && name == Algorithm.MOMENTUM && momentum == 0) {
      throw new ConfigException(
          "optim.nesterov = true needs optim.momentum > 0; set a momentum or nesterov = false");
    }
    OptimKeys.ALPHA.check(alpha);
    OptimKeys.TRUST_COEFFICIENT.check(trustCoefficient);
    OptimKeys.CLIP_NORM.check(clipNorm);
    OptimKeys.CLIP_VALUE.check(clipValue);
  }

  /** Reads and validates every {@code optim.*} key. */
  public static OptimConfig from(ConfigReader r) {
    return new OptimConfig(
        OptimKeys.NAME.read(r),
        OptimKeys.LR.read(r),
        OptimKeys.BASE_BATCH.read(r),
        OptimKeys.SCALING.read(r),
        OptimKeys.WARMUP_REQUIRED_ABOVE.read(r),
        OptimKeys.BETA1.read(r),
        OptimKeys.BETA2.read(r),
        OptimKeys.EPS.read(r),
        OptimKeys.WEIGHT_DECAY.read(r),
        OptimKeys.MOMENTUM.read(r),
        OptimKeys.NESTEROV.read(r),
        OptimKeys.ALPHA.read(r),
        OptimKeys.TRUST_COEFFICIENT.read(r),
        OptimKeys.CLIP_NORM.read(r),
        OptimKeys.CLIP_VALUE.read(r));
  }
}
