package ringtrain.common.config;

import ringtrain.common.config.key.PrecisionKeys;
import ringtrain.common.numeric.Dtype;

/**
 * The {@code precision.*} section. Master weights and optimizer state are always FP32.
 *
 * @param compute data type of the compute copy of weights and activations
 * @param comm data type of gradients on the wire
 * @param lossScaleInit initial dynamic loss scale of fp16 compute (a power of two)
 * @param growthInterval consecutive finite steps after which the loss scale doubles
 * @param mode how low-precision compute runs: native ND4J HALF/BFLOAT16 kernels or FP32 kernels
 *     with values rounded to the low-precision grid
 */
public record PrecisionConfig(
    Dtype compute, Dtype comm, double lossScaleInit, int growthInterval, Mode mode) {

  /** Where low-precision compute comes from. */
  public enum Mode {
    /** Native on a GPU backend (nd4j-cuda), emulated on CPU. */
    AUTO,
    NATIVE,
    EMULATED
  }

  public PrecisionConfig {
    PrecisionKeys.LOSS_SCALE_INIT.check(lossScaleInit);
    PrecisionKeys.GROWTH_INTERVAL.check(growthInterval);
  }

  /** fp32/bf16/fp16 with the default loss scaling (GradScaler's) and mode. */
  public PrecisionConfig(Dtype compute, Dtype comm) {
    this(
        compute,
        comm,
        PrecisionKeys.LOSS_SCALE_INIT.defaultValue(),
        PrecisionKeys.GROWTH_INTERVAL.defaultValue(),
        PrecisionKeys.MODE.defaultValue());
  }

  public static PrecisionConfig from(ConfigReader r) {
    return new PrecisionConfig(
        PrecisionKeys.COMPUTE.read(r),
        PrecisionKeys.COMM.read(r),
        PrecisionKeys.LOSS_SCALE_INIT.read(r),
        PrecisionKeys.GROWTH_INTERVAL.read(r),
        PrecisionKeys.MODE.read(r));
  }
}
