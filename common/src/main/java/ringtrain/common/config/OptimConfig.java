package ringtrain.common.config;

import java.util.Locale;
import ringtrain.common.error.ConfigException;

/**
 * The {@code optim.*} keys: which optimizer, its hyperparameters, LR scaling for large batches and
 * gradient clipping. Every value is checked once, in the constructor, with a message naming its
 * key; after that the optimizer trusts it.
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
    atLeast("optim.lr", lr, 0);
    if (baseBatch < 1) {
      throw new ConfigException("optim.base_batch = " + baseBatch + " must be >= 1");
    }
    atLeast("optim.warmup_required_above", warmupRequiredAbove, 0);
    unitInterval("optim.beta1", beta1);
    unitInterval("optim.beta2", beta2);
    if (!(eps > 0) || !Double.isFinite(eps)) {
      throw new ConfigException("optim.eps = " + eps + " must be > 0 (e.g. 1e-8)");
    }
    atLeast("optim.weight_decay", weightDecay, 0);
    unitInterval("optim.momentum", momentum);
    if (nesterov && name == Algorithm.MOMENTUM && momentum == 0) {
      throw new ConfigException(
          "optim.nesterov = true needs optim.momentum > 0; set a momentum or nesterov = false");
    }
    unitInterval("optim.alpha", alpha);
    if (!(trustCoefficient > 0) || !Double.isFinite(trustCoefficient)) {
      throw new ConfigException(
          "optim.trust_coefficient = " + trustCoefficient + " must be > 0 (e.g. 0.001)");
    }
    atLeast("optim.clip_norm", clipNorm, 0);
    atLeast("optim.clip_value", clipValue, 0);
  }

  /** Reads and validates every {@code optim.*} key. */
  public static OptimConfig from(ConfigReader r) {
    return new OptimConfig(
        r.enumValue("optim.name", Algorithm.class),
        r.number("optim.lr"),
        r.longValue("optim.base_batch"),
        r.enumValue("optim.scaling", Scaling.class),
        r.number("optim.warmup_required_above"),
        r.number("optim.beta1"),
        r.number("optim.beta2"),
        r.number("optim.eps"),
        r.number("optim.weight_decay"),
        r.number("optim.momentum"),
        r.bool("optim.nesterov"),
        r.number("optim.alpha"),
        r.number("optim.trust_coefficient"),
        r.number("optim.clip_norm"),
        r.number("optim.clip_value"));
  }

  private static void atLeast(String key, double value, double min) {
    if (!(value >= min) || !Double.isFinite(value)) {
      throw new ConfigException(key + " = " + value + " must be a finite number >= " + min);
    }
  }

  private static void unitInterval(String key, double value) {
    if (!(value >= 0 && value < 1)) {
      throw new ConfigException(key + " = " + value + " is out of range; it must be >= 0 and < 1");
    }
  }
}
