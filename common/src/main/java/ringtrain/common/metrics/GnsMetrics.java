package ringtrain.common.metrics;

/**
 * The gradient noise scale after one step (McCandlish et al. 2018, App. A.1); the {@code gns}
 * object of a metrics.jsonl step line.
 *
 * @param smallBatch b, examples behind |G_b|² (one micro-batch)
 * @param bigBatch B, examples behind |G_B|² (the global batch)
 * @param smallSq |G_b|²: squared norm of a micro-batch's mean gradient, averaged over all
 *     micro-batches of the step
 * @param bigSq |G_B|²: squared norm of the step's averaged gradient
 * @param gradSq this step's estimate of |G|², (B·|G_B|² − b·|G_b|²)/(B − b)
 * @param trace this step's estimate of tr(Σ), (|G_b|² − |G_B|²)/(1/b − 1/B)
 * @param gradSqEma moving average of gradSq (bias-corrected)
 * @param traceEma moving average of trace (bias-corrected)
 * @param bSimple B_simple = traceEma / gradSqEma; NaN while gradSqEma ≤ 0
 */
public record GnsMetrics(
    long smallBatch,
    long bigBatch,
    double smallSq,
    double bigSq,
    double gradSq,
    double trace,
    double gradSqEma,
    double traceEma,
    double bSimple) {}
