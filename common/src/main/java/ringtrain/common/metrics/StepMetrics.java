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
    double examplesPerS) {}
