package ringtrain.common.metrics;

/**
 * What rank 0 reports after one optimizer step; one line of metrics.jsonl.
 *
 * @param step 0-based optimizer step that just finished
 * @param epoch epoch the step belongs to (0-based)
 * @param loss mean training loss over the global batch
 * @param lr learning rate the step used
 * @param gradNorm global L2 norm of the averaged, unscaled gradient before clipping (may be
 *     infinite or NaN on a skipped fp16 step)
 * @param lossScale dynamic loss scale in effect (1 without scaling)
 * @param stepMs wall time of the whole step in milliseconds
 * @param commMs time spent in the all-reduce in milliseconds
 * @param examplesPerS global examples per second for this step
 * @param computeMs forward and backward time of the step in milliseconds
 * @param overlapMs all-reduce time hidden behind backward in milliseconds (0 without overlap)
 * @param skippedSteps fp16 steps skipped so far in the run because of inf/NaN gradients
 * @param gns the gradient noise scale after this step, or null where it is not estimated (B = b, or
 *     no finite step yet)
 * @param inputWaitMs time a step waited for its micro-batches to be assembled, in milliseconds (0
 *     when the prefetch thread had them ready; NaN where not measured)
 */
public record StepMetrics(
    long step,
    long epoch,
    double loss,
    double lr,
    double gradNorm,
    double lossScale,
    double stepMs,
    double commMs,
    double examplesPerS,
    double computeMs,
    double overlapMs,
    long skippedSteps,
    GnsMetrics gns,
    double inputWaitMs) {

  /** Metrics without a measured input wait (NaN: metrics.jsonl leaves the key out). */
  public StepMetrics(
      long step,
      long epoch,
      double loss,
      double lr,
      double gradNorm,
      double lossScale,
      double stepMs,
      double commMs,
      double examplesPerS,
      double computeMs,
      double overlapMs,
      long skippedSteps,
      GnsMetrics gns) {
    this(
        step,
        epoch,
        loss,
        lr,
        gradNorm,
        lossScale,
        stepMs,
        commMs,
        examplesPerS,
        computeMs,
        overlapMs,
        skippedSteps,
        gns,
        Double.NaN);
  }

  /** Metrics without a gradient noise scale. */
  public StepMetrics(
      long step,
      long epoch,
      double loss,
      double lr,
      double gradNorm,
      double lossScale,
      double stepMs,
      double commMs,
      double examplesPerS,
      double computeMs,
      double overlapMs,
      long skippedSteps) {
    this(
        step,
        epoch,
        loss,
        lr,
        gradNorm,
        lossScale,
        stepMs,
        commMs,
        examplesPerS,
        computeMs,
        overlapMs,
        skippedSteps,
        null);
  }

  /** Metrics without the compute/overlap split and skip count (all zero). */
  public StepMetrics(
      long step,
      long epoch,
      double loss,
      double lr,
      double gradNorm,
      double lossScale,
      double stepMs,
      double commMs,
      double examplesPerS) {
    this(step, epoch, loss, lr, gradNorm, lossScale, stepMs, commMs, examplesPerS, 0, 0, 0, null);
  }
}
