package ringtrain.common.config.key;

import java.util.List;
import ringtrain.common.config.PrecisionConfig.Mode;
import ringtrain.common.numeric.Dtype;

/** The {@code precision.*} keys: compute and wire data types, fp16 loss scaling. */
public final class PrecisionKeys {
  private PrecisionKeys() {}

  public static final ConfigKey<Dtype> COMPUTE =
      ConfigKey.of(
          "precision.compute",
          ValueType.enumOf(Dtype.class),
          Dtype.FP32,
          "Data type of the compute copy of the weights and of the activations.");

  public static final ConfigKey<Dtype> COMM =
      ConfigKey.of(
          "precision.comm",
          ValueType.enumOf(Dtype.class),
          Dtype.FP32,
          "Data type of gradients on the wire (always summed in FP32).");

  public static final ConfigKey<Mode> MODE =
      ConfigKey.of(
          "precision.mode",
          ValueType.enumOf(Mode.class),
          Mode.AUTO,
          "native ND4J half kernels, emulated FP32 kernels rounded to the grid, or auto.");

  public static final ConfigKey<Double> LOSS_SCALE_INIT =
      ConfigKey.of(
          "precision.loss_scale.init",
          ValueType.NUMBER,
          65536.0,
          "fp16: initial dynamic loss scale, a power of two.",
          Check.that(v -> v > 0, "must be > 0"),
          Check.that(
              v -> Math.getExponent(v) >= -126 && v == Math.scalb(1.0, Math.getExponent(v)),
              "is not a power of two; use one such as 65536 so scaling stays exact"));

  public static final ConfigKey<Integer> GROWTH_INTERVAL =
      ConfigKey.of(
          "precision.loss_scale.growth_interval",
          ValueType.INT,
          2000,
          "fp16: double the loss scale after this many consecutive finite steps.",
          Check.atLeast(1));

  /** Every {@code precision.*} key. */
  public static final List<ConfigKey<?>> ALL =
      List.of(COMPUTE, COMM, MODE, LOSS_SCALE_INIT, GROWTH_INTERVAL);
}
