package ringtrain.common.config.key;

import java.util.List;
import ringtrain.common.config.OptimConfig.Algorithm;
import ringtrain.common.config.OptimConfig.Scaling;

/** The {@code optim.*} keys: the optimizer, its hyperparameters, LR scaling and clipping. */
public final class OptimKeys {
  private OptimKeys() {}

  public static final ConfigKey<Algorithm> NAME =
      ConfigKey.of(
          "optim.name",
          ValueType.enumOf(Algorithm.class),
          Algorithm.ADAMW,
          "adamw, adam, sgd, momentum, rmsprop, adagrad, lamb or lars.");

  public static final ConfigKey<Double> LR =
      ConfigKey.of(
          "optim.lr",
          ValueType.NUMBER,
          0.001,
          "Peak learning rate at the batch size optim.base_batch.",
          Check.finiteAtLeast(0));

  public static final ConfigKey<Long> BASE_BATCH =
      ConfigKey.of(
          "optim.base_batch",
          ValueType.LONG,
          128L,
          "Batch size at which optim.lr was tuned.",
          Check.that(b -> b >= 1, "must be >= 1"));

  public static final ConfigKey<Scaling> SCALING =
      ConfigKey.of(
          "optim.scaling",
          ValueType.enumOf(Scaling.class),
          Scaling.LINEAR,
          "How the peak LR grows with the global batch: linear, sqrt or none.");

  public static final ConfigKey<Double> WARMUP_REQUIRED_ABOVE =
      ConfigKey.of(
          "optim.warmup_required_above",
          ValueType.NUMBER,
          4.0,
          "With linear scaling and B/B_base above this, schedule.warmup_steps must be > 0.",
          Check.finiteAtLeast(0));

  public static final ConfigKey<Double> BETA1 =
      ConfigKey.of(
          "optim.beta1",
          ValueType.NUMBER,
          0.9,
          "First-moment decay of adamw, adam and lamb.",
          Check.halfOpen(0, 1));

  public static final ConfigKey<Double> BETA2 =
      ConfigKey.of(
          "optim.beta2",
          ValueType.NUMBER,
          0.999,
          "Second-moment decay of adamw, adam and lamb.",
          Check.halfOpen(0, 1));

  public static final ConfigKey<Double> EPS =
      ConfigKey.of(
          "optim.eps",
          ValueType.NUMBER,
          1e-8,
          "Denominator guard of adamw, adam, lamb and rmsprop.",
          Check.that(e -> e > 0 && Double.isFinite(e), "must be > 0 (e.g. 1e-8)"));

  public static final ConfigKey<Double> WEIGHT_DECAY =
      ConfigKey.of(
          "optim.weight_decay",
          ValueType.NUMBER,
          0.01,
          "Weight decay λ, never applied to biases or normalization parameters.",
          Check.finiteAtLeast(0));

  public static final ConfigKey<Double> MOMENTUM =
      ConfigKey.of(
          "optim.momentum",
          ValueType.NUMBER,
          0.9,
          "Momentum factor of momentum and lars.",
          Check.halfOpen(0, 1));

  public static final ConfigKey<Boolean> NESTEROV =
      ConfigKey.of(
          "optim.nesterov", ValueType.BOOLEAN, false, "Nesterov momentum (momentum only).");

  public static final ConfigKey<Double> ALPHA =
      ConfigKey.of(
          "optim.alpha",
          ValueType.NUMBER,
          0.99,
          "rmsprop: smoothing constant of the squared-gradient average.",
          Check.halfOpen(0, 1));

  public static final ConfigKey<Double> TRUST_COEFFICIENT =
      ConfigKey.of(
          "optim.trust_coefficient",
          ValueType.NUMBER,
          0.001,
          "lars: trust coefficient of the layer-wise trust ratio.",
          Check.that(t -> t > 0 && Double.isFinite(t), "must be > 0 (e.g. 0.001)"));

  public static final ConfigKey<Double> CLIP_NORM =
      ConfigKey.of(
          "optim.clip_norm",
          ValueType.NUMBER,
          1.0,
          "Clip the averaged gradient to this global L2 norm; 0 = off.",
          Check.finiteAtLeast(0));

  public static final ConfigKey<Double> CLIP_VALUE =
      ConfigKey.of(
          "optim.clip_value",
          ValueType.NUMBER,
          0.0,
          "Clip every gradient element to [-clip_value, clip_value]; 0 = off.",
          Check.finiteAtLeast(0));

  /** Every {@code optim.*} key. */
  public static final List<ConfigKey<?>> ALL =
      List.of(
          NAME,
          LR,
          BASE_BATCH,
          SCALING,
          WARMUP_REQUIRED_ABOVE,
          BETA1,
          BETA2,
          EPS,
          WEIGHT_DECAY,
          MOMENTUM,
          NESTEROV,
          ALPHA,
          TRUST_COEFFICIENT,
          CLIP_NORM,
          CLIP_VALUE);
}
