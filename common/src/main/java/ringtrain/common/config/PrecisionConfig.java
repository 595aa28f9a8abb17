package ringtrain.common.config;

/**
 * The {@code precision.*} section. Master weights and optimizer state are always FP32.
 *
 * @param compute data type of the compute copy of weights and activations
 * @param comm data type of gradients on the wire
 */
public record PrecisionConfig(Precision compute, Precision comm) {

  /** Floating-point formats. */
  public enum Precision {
    FP32,
    BF16,
    FP16
  }

  public static PrecisionConfig from(ConfigReader r) {
    return new PrecisionConfig(
        r.enumValue("precision.compute", Precision.class),
        r.enumValue("precision.comm", Precision.class));
  }
}
