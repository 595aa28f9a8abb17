package ringtrain.worker.optim;

/**
 * What the training step does with a parameter tensor, as its layer declares it (see {@code
 * worker.model.ParamRoles}).
 */
public enum ParamRole {
  /** A weight matrix or kernel (rank ≥ 2): optimized and weight-decayed. */
  WEIGHT,
  /** Biases, normalization gain and shift: optimized, never decayed. */
  NO_DECAY,
  /**
   * Running statistics (batch-norm mean and variance): not optimized, not clipped. The layer's
   * backward leaves in their gradient slot the delta that moves them to the new running average;
   * the step subtracts the delta averaged over the ranks, so every rank holds identical state.
   */
  STATE
}
