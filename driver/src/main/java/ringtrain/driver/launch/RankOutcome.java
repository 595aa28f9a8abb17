package ringtrain.driver.launch;

import ringtrain.common.metrics.EvalMetrics;

/**
 * What the training stage returns to the driver: rank 0's final parameters and numbers. Shipped
 * with Kryo ({@link RingtrainKryoRegistrator}), so it holds only primitives and a float array.
 *
 * @param params final flat FP32 parameters
 * @param steps optimizer steps done in total
 * @param trainLoss mean training loss over the last epoch
 * @param eval final test-set evaluation
 * @param wallS wall time of the stage on rank 0
 * @param examplesPerS global training examples per second
 */
public record RankOutcome(
    float[] params,
    long steps,
    double trainLoss,
    EvalMetrics eval,
    double wallS,
    double examplesPerS) {}
