package ringtrain.worker.ddp;

/**
 * The per-step scalars that are averaged over the ranks together with the gradient, always in FP32
 * whatever the gradient's wire type. Adding a scalar is adding a constant here; its slot is its
 * ordinal.
 */
public enum SideScalar {
  /** The rank's mean training loss of the step; its average is the global batch's loss. */
  LOSS,
  /** 1 where a rank's gradient held inf/NaN, else 0; non-zero after averaging: skip the step. */
  NON_FINITE,
  /**
   * The rank's squared micro-batch gradient norm |G_b|² (unscaled, mean over its micro-batches);
   * its average is the small-batch term of the gradient noise scale.
   */
  MICRO_BATCH_GRAD_SQ;

  /** Number of side scalars, i.e. of FP32 slots behind the gradient. */
  public static final int COUNT = values().length;
}
